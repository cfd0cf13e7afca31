import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markerishArb, specialRequestsArb } from "../testing/sync-arbitraries.ts";
import { KITCHEN_MARKER, composeSpecialRequests, parseSpecialRequests } from "./special-requests.ts";

const SEPARATOR = `\n\n${KITCHEN_MARKER}`;
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  markerishArb,
);

// The exact set of splits that survive Maestro → Echo → Maestro, i.e. the image of
// parseSpecialRequests (compose is its inverse, so no other split can come back).
//  - no setup: any kitchen text comes back (it is sent as "marker + kitchen");
//  - setup but no kitchen: the setup must not itself read as a split — it must
//    not be the marker followed by more text, and must not contain the separator
//    after its first character with text after it;
//  - both: the setup must not start with the marker, must not be exactly the
//    marker without its newline, and the first separator in
//    "setup + separator" must be the one compose adds — which fails when the
//    setup contains the separator or ends with "\n\n--- Kitchen notes ---"
//    (the separator's last character, "\n", is also its first).
function survivesRoundTrip(setup: string, kitchen: string): boolean {
  if (setup === "") return true;
  if (kitchen === "") {
    if (setup.startsWith(KITCHEN_MARKER) && setup.length > KITCHEN_MARKER.length) return false;
    const at = setup.indexOf(SEPARATOR);
    return !(at > 0 && at + SEPARATOR.length < setup.length);
  }
  if (setup.startsWith(KITCHEN_MARKER) || setup === KITCHEN_MARKER.slice(0, -1)) return false;
  return (setup + SEPARATOR).indexOf(SEPARATOR) === setup.length;
}

describe("specialRequests: Echo → Maestro → Echo", () => {
  it("is a fixed point for any string: compose(parse(text)) === text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(composeSpecialRequests(parseSpecialRequests(text))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("is a fixed point for strings that are mostly markers, separators and newlines", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(KITCHEN_MARKER, SEPARATOR, "\n", "\n\n", "-", " ", "x", "--- Kitchen notes ---"), {
          maxLength: 8,
        }),
        (parts) => {
          const text = parts.join("");
          expect(composeSpecialRequests(parseSpecialRequests(text))).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("keeps every character: setup and kitchen together are never longer than the text", () => {
    fc.assert(
      fc.property(specialRequestsArb, (text) => {
        const { setup, kitchen } = parseSpecialRequests(text);
        expect(text.startsWith(setup)).toBe(true);
        expect(text.endsWith(kitchen)).toBe(true);
        expect(setup.length + kitchen.length).toBeLessThanOrEqual(text.length);
      }),
    );
  });

  it("puts plain text without a kitchen section entirely into the setup requests", () => {
    expect(parseSpecialRequests("")).toEqual({ setup: "", kitchen: "" });
    expect(parseSpecialRequests("Vegan options for 12 guests")).toEqual({
      setup: "Vegan options for 12 guests",
      kitchen: "",
    });
    expect(parseSpecialRequests("Wheelchair access\n\nDance floor")).toEqual({
      setup: "Wheelchair access\n\nDance floor",
      kitchen: "",
    });
  });

  it("reads a labelled kitchen section back out of Echo's text", () => {
    expect(parseSpecialRequests("Stage left\n\n--- Kitchen notes ---\nNo nuts")).toEqual({
      setup: "Stage left",
      kitchen: "No nuts",
    });
    expect(parseSpecialRequests("--- Kitchen notes ---\nNo nuts")).toEqual({ setup: "", kitchen: "No nuts" });
  });

  it("leaves a marker with nothing after it in the setup text, so the text survives", () => {
    for (const text of [KITCHEN_MARKER, `Stage left${SEPARATOR}`, SEPARATOR, `${SEPARATOR}x`]) {
      expect(parseSpecialRequests(text)).toEqual({ setup: text, kitchen: "" });
    }
  });
});

describe("specialRequests: Maestro → Echo → Maestro", () => {
  it("recovers setup and kitchen exactly when the setup text does not contain the marker (even without its newline)", () => {
    const setupArb = fc
      .oneof(fc.string({ unit: "grapheme", maxLength: 40 }), markerishArb)
      .filter((s) => !(s + "\n").includes(KITCHEN_MARKER));
    fc.assert(
      fc.property(setupArb, anyText, (setup, kitchen) => {
        expect(parseSpecialRequests(composeSpecialRequests({ setup, kitchen }))).toEqual({ setup, kitchen });
      }),
      { numRuns: 1000 },
    );
  });

  it("recovers any kitchen text when the setup is empty, even one containing the marker", () => {
    fc.assert(
      fc.property(anyText, (kitchen) => {
        expect(parseSpecialRequests(composeSpecialRequests({ setup: "", kitchen }))).toEqual({ setup: "", kitchen });
      }),
    );
  });

  it("recovers a split if and only if the exact precondition holds", () => {
    fc.assert(
      fc.property(markerishArb, markerishArb, (setup, kitchen) => {
        const back = parseSpecialRequests(composeSpecialRequests({ setup, kitchen }));
        expect(back.setup === setup && back.kitchen === kitchen).toBe(survivesRoundTrip(setup, kitchen));
      }),
      { numRuns: 3000 },
    );
  });

  it("cannot recover a setup that ends with the marker minus its newline (the precondition is not just 'no marker')", () => {
    const setup = "Stage left\n\n--- Kitchen notes ---";
    expect(setup.includes(KITCHEN_MARKER)).toBe(false);
    const composed = composeSpecialRequests({ setup, kitchen: "No nuts" });
    expect(parseSpecialRequests(composed)).not.toEqual({ setup, kitchen: "No nuts" });
    // Echo's text itself still survives the other way round.
    expect(composeSpecialRequests(parseSpecialRequests(composed))).toBe(composed);
  });

  it("composes only what is there: no marker without kitchen notes, no separator without setup text", () => {
    expect(composeSpecialRequests({ setup: "Stage left", kitchen: "" })).toBe("Stage left");
    expect(composeSpecialRequests({ setup: "", kitchen: "No nuts" })).toBe(`${KITCHEN_MARKER}No nuts`);
    expect(composeSpecialRequests({ setup: "Stage left", kitchen: "No nuts" })).toBe(`Stage left${SEPARATOR}No nuts`);
    expect(composeSpecialRequests({ setup: "", kitchen: "" })).toBe("");
  });
});
