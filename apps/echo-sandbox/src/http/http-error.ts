import type { ErrorCode } from "@maestro/shared/errors";
import { describeZodIssues } from "@maestro/shared/errors";
import type { z } from "zod";

// Thrown by services and route helpers; the error handler turns it into the
// CONTRACT §3 error body.
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    code: ErrorCode,
    message: string,
    details?: unknown,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export const notFound = (what: string) => new HttpError(404, "not_found", `${what} not found`);

// Validates untrusted input at the edge; anything invalid is a 400 with details.
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where = "body"): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, "invalid_input", `Invalid request ${where}`, describeZodIssues(result.error));
  }
  return result.data;
}
