import type { ErrorCode } from "@maestro/shared/errors";

// Thrown by services and routes; the error handler turns it into CONTRACT §3's shape.
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);
export const forbidden = (message = "your role may not do this") => new AppError(403, "forbidden", message);
export const invalidInput = (message: string, details?: unknown) =>
  new AppError(400, "invalid_input", message, details);
export const conflict = (message: string, details?: unknown) => new AppError(409, "conflict", message, details);
