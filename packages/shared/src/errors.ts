import { z } from "zod";

// One error shape for every HTTP answer of Maestro and the Echo sandbox (CONTRACT §3).
export const errorCodes = [
  "invalid_input",
  "invalid_json",
  "unauthenticated",
  "invalid_signature",
  "forbidden",
  "not_found",
  "conflict",
  "version_mismatch",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "integration_not_configured",
  "echo_unreachable",
  "echo_rejected",
  "internal_error",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

// Turns zod issues into a compact, user-readable list for `details`.
export function describeZodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}
