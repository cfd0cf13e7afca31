import { describeZodIssues } from "@maestro/shared/errors";
import type { z } from "zod";
import { AppError } from "./errors.ts";

// Every payload, query and parameter is parsed at the edge; a failure is a 400
// that names each offending field.
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where = "body"): z.output<S> {
  const result = schema.safeParse(value ?? (where === "query" ? {} : value));
  if (!result.success) {
    throw new AppError(400, "invalid_input", `invalid ${where}`, describeZodIssues(result.error));
  }
  return result.data;
}
