import type { ZodType } from "zod";

// One fetch wrapper for every API call: cookie session, CSRF header on writes,
// the contract's error shape turned into ApiError, optional schema checks.

export type FieldIssue = { path: string; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  // A 400's details are `[{path, message}]`; keyed by path for inline field errors.
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (!Array.isArray(this.details)) return out;
    for (const issue of this.details as unknown[]) {
      if (issue && typeof issue === "object" && "message" in issue) {
        const { path, message } = issue as { path?: unknown; message?: unknown };
        const key = Array.isArray(path) ? path.join(".") : String(path ?? "");
        if (!(key in out)) out[key] = String(message);
      }
    }
    return out;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

// Called when a request that needed a session gets 401 (session expired).
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type RequestOptions<T> = {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null>;
  schema?: ZodType<T>;
  signal?: AbortSignal;
  // Auth bootstrap calls expect 401 and must not trigger the logout flow.
  ignoreUnauthorized?: boolean;
};

export function buildUrl(path: string, query?: RequestOptions<unknown>["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function apiRequest<T>(path: string, options: RequestOptions<T> = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network_error", "Cannot reach the Maestro server. Check your connection.");
  }

  const text = await response.text();
  let payload: unknown = undefined;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = text;
    }
  }

  if (!response.ok) {
    const err = (payload as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (response.status === 401 && !options.ignoreUnauthorized) onUnauthorized?.();
    throw new ApiError(
      response.status,
      err?.code ?? `http_${response.status}`,
      err?.message ?? (response.statusText || "Request failed"),
      err?.details,
    );
  }

  if (options.schema && payload !== undefined) return checkShape(options.schema, payload, path);
  return payload as T;
}

// The server is the authority: a payload that drifts from the shared schema is
// logged for developers but still shown, rather than blanking the screen.
function checkShape<T>(schema: ZodType<T>, payload: unknown, path: string): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  // eslint-disable-next-line no-console -- developer diagnostics for contract drift
  console.warn(`[api] ${path} does not match the shared schema`, result.error.issues.slice(0, 5));
  return payload as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
