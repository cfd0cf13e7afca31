// Echo keeps one free-text `specialRequests`; a BEO splits it into the setup
// team's special requests and the kitchen's special instructions. The kitchen
// part travels in a labelled section, so Echo → Maestro → Echo returns exactly
// the text Echo had (a fixed point): parse never loses a character and compose
// rebuilds the same string.

export const KITCHEN_MARKER = "--- Kitchen notes ---\n";
const SEPARATOR = `\n\n${KITCHEN_MARKER}`;

export type SplitRequests = { setup: string; kitchen: string };

export function parseSpecialRequests(text: string): SplitRequests {
  if (text.startsWith(KITCHEN_MARKER) && text.length > KITCHEN_MARKER.length) {
    return { setup: "", kitchen: text.slice(KITCHEN_MARKER.length) };
  }
  const at = text.indexOf(SEPARATOR);
  if (at > 0 && at + SEPARATOR.length < text.length) {
    return { setup: text.slice(0, at), kitchen: text.slice(at + SEPARATOR.length) };
  }
  return { setup: text, kitchen: "" };
}

export function composeSpecialRequests({ setup, kitchen }: SplitRequests): string {
  if (kitchen === "") return setup;
  if (setup === "") return KITCHEN_MARKER + kitchen;
  return setup + SEPARATOR + kitchen;
}
