import type { z } from "zod";

// Zod's default messages are written for developers; these are for people.
export function friendlyMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) <= 1) return "Required.";
      if (issue.origin === "string") return `Use at least ${issue.minimum} characters.`;
      if (issue.origin === "number") return `Must be ${issue.minimum} or more.`;
      return issue.message;
    case "too_big":
      if (issue.origin === "string") return `Use at most ${issue.maximum} characters.`;
      if (issue.origin === "number") return `Must be ${issue.maximum} or less.`;
      return issue.message;
    case "invalid_type":
      if (issue.expected === "number" || issue.expected === "int") return "Enter a number.";
      return "Required.";
    case "invalid_format":
      if (issue.format === "url") return "Enter a full URL starting with http:// or https://.";
      if (issue.format === "regex" && /YYYY-MM-DD/.test(issue.message)) return "Enter a date.";
      if (issue.format === "regex" && /HH:mm/.test(issue.message)) return "Enter a time (HH:mm).";
      return issue.message;
    case "invalid_value":
      return "Choose one of the options.";
    default:
      return issue.message;
  }
}

// First message per dotted path, ready to show next to fields.
export function issuesByPath(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const path = issue.path.map(String).join(".");
    out[path] ??= friendlyMessage(issue);
  }
  return out;
}
