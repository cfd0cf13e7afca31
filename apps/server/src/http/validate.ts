import { describeZodIssues } from "@maestro/shared/errors";
import type { z } from "zod";
import { AppError } from "./errors.ts";

// Every payload, query and parameter is parsed at the edge; a failure is a 400
// that names each offending field.
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where = "body"): z.output<S> {
  const nul = pathOfNul(value);
  if (nul !== undefined) {
    // PostgreSQL text cannot hold U+0000 (it would fail as a 500 there): refused on every database alike.
    throw new AppError(400, "invalid_input", `invalid ${where}`, [
      { path: nul, message: "text must not contain the NUL character (U+0000)" },
    ]);
  }
  const result = schema.safeParse(value ?? (where === "query" ? {} : value));
  if (!result.success) {
    throw new AppError(400, "invalid_input", `invalid ${where}`, describeZodIssues(result.error));
  }
  return result.data;
}

// The path of the first string (value or key) that contains U+0000, if any.
// Iterative: a body may nest thousands of levels deep.
function pathOfNul(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) return path;
    } else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        const at = path ? `${path}.${key}` : key;
        if (key.includes("\u0000")) return at;
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}
