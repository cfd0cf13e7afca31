import { HttpError } from "./http-error.ts";

// Accepts `3`, `"3"` and `W/"3"`; `*` or no header means "any version".
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "" || value.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?(?:"(\d{1,15})"|(\d{1,15}))\s*$/.exec(value);
  const version = match?.[1] ?? match?.[2];
  if (version === undefined) {
    throw new HttpError(400, "invalid_input", "If-Match must be an event version, e.g. If-Match: 3");
  }
  return Number(version);
}
