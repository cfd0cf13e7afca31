import { describe, expect, it } from "vitest";
import { HttpError } from "./http-error.ts";
import { parseIfMatch } from "./if-match.ts";

describe("parseIfMatch", () => {
  it("accepts bare, quoted and weak versions", () => {
    expect(parseIfMatch("3")).toBe(3);
    expect(parseIfMatch('"12"')).toBe(12);
    expect(parseIfMatch('W/"7"')).toBe(7);
    expect(parseIfMatch(["4"])).toBe(4);
  });

  it("treats a missing header or * as any version", () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch("*")).toBeUndefined();
  });

  it("rejects anything else as invalid input", () => {
    for (const value of ["abc", "1.5", '"3', "3,4"]) {
      expect(() => parseIfMatch(value)).toThrow(HttpError);
    }
  });
});
