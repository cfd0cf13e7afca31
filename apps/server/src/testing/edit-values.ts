// Random edits for the fault and crash tests: values are unique per edit and
// name the side that wrote them, so the final state tells who won and whether
// the loser's value is on record.

export const EDITED_FIELDS = ["guaranteed", "room", "eventTime", "eventName", "specialRequests"] as const;
export type EditedField = (typeof EDITED_FIELDS)[number];
export type Side = "echo" | "maestro";

export const BEO_FIELD: Record<EditedField, string> = {
  guaranteed: "event.guaranteed",
  room: "event.room",
  eventTime: "event.time",
  eventName: "header.eventName",
  specialRequests: "setup.specialRequests",
};

export function valueFor(field: EditedField, side: Side, n: number): string | number {
  switch (field) {
    case "guaranteed":
      return side === "echo" ? 100 + 2 * n : 101 + 2 * n;
    case "room":
      return `${side === "echo" ? "Echo" : "Maestro"} Room ${n}`;
    case "eventTime": {
      const minutes = (n % 28) * 30 + (side === "echo" ? 0 : 15);
      return `${String(8 + Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
    }
    case "eventName":
      return `${side === "echo" ? "Echo" : "Maestro"} name ${n}`;
    case "specialRequests":
      return `${side} note ${n}: vegan x${n % 7}`;
  }
}

export const echoPatch = (field: EditedField, value: string | number) =>
  field === "guaranteed" ? { guestCount: { guaranteed: value } } : { [field]: value };

export const beoPatch = (field: EditedField, value: string | number) => {
  const [section, key] = BEO_FIELD[field].split(".") as [string, string];
  return { [section]: { [key]: value } };
};
