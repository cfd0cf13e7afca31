import type { ContractStatus } from "@maestro/shared/echo-event.schema";
import type { EventCreateInput } from "../events/event.service.ts";
import {
  companies,
  dietaryNeeds,
  eventTemplates,
  firstNames,
  lastNames,
  organizations,
  salesReps,
  setupRequests,
  venues,
} from "./seed-catalog.ts";
import { createSeededRandom, type SeededRandom } from "./seeded-random.ts";

const contractStatusWeights: readonly (readonly [ContractStatus, number])[] = [
  ["inquiry", 20],
  ["tentative", 25],
  ["contract_sent", 18],
  ["signed", 32],
  ["lost", 3],
  ["cancelled", 2],
];

const DAY_MS = 86_400_000;

// Deterministic realistic events: the same (count, seed, today) always gives the
// same list. Dates spread from two weeks ago to six months ahead of `today`.
export function generateSeedEvents(count: number, seed: number, today: Date): EventCreateInput[] {
  const random = createSeededRandom(seed);
  const todayMs = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: count }, () => generateOne(random, todayMs));
}

function generateOne(random: SeededRandom, todayMs: number): EventCreateInput {
  const template = random.pick(eventTemplates);
  const venue = random.pick(venues);
  const expected = roundTo(random.int(template.guests[0], template.guests[1]), 5);
  const rooms = venue.rooms.filter((r) => template.rooms.includes(r.kind) && r.capacity >= expected);
  const room = rooms.length > 0 ? random.pick(rooms) : largestRoom(venue.rooms);
  const expectedInRoom = Math.min(expected, room.capacity);
  const guaranteed = Math.max(1, Math.round(expectedInRoom * (0.85 + random.next() * 0.15)));
  const client = { first: random.pick(firstNames), last: random.pick(lastNames) };
  const partner = random.pick(lastNames.filter((name) => name !== client.last));
  const company = random.pick(companies);
  const eventName = random
    .pick(template.names)
    .replace("{a}", client.last)
    .replace("{b}", partner)
    .replace("{company}", company)
    .replace("{org}", random.pick(organizations));
  const startTime = random.pick(template.startTimes);
  const rep = random.pick(salesReps);
  const perHead = random.int(template.perHead[0], template.perHead[1]);
  const clientName =
    template.kind === "wedding" || template.kind === "bar mitzvah"
      ? `${client.first} ${client.last}`
      : `${client.first} ${client.last} (${company})`;
  const event: EventCreateInput = {
    eventName,
    eventDate: new Date(todayMs + random.int(-14, 180) * DAY_MS).toISOString().slice(0, 10),
    eventTime: startTime,
    endTime: addHours(startTime, template.hours),
    timezone: venue.timezone,
    venue: venue.name,
    room: room.name,
    guestCount: { expected: expectedInRoom, guaranteed },
    contractStatus: random.weighted(contractStatusWeights),
    budget: { totalBudget: roundTo(guaranteed * perHead, 50), currency: "USD" },
    clientName,
    clientEmail: `${ascii(client.first)}.${ascii(client.last)}@example.com`.toLowerCase(),
    clientPhone: `+1 555-01${String(random.int(0, 99)).padStart(2, "0")}`,
    salesRepName: rep.name,
    salesRepEmail: rep.email,
    specialRequests: specialRequests(random, guaranteed),
  };
  return event;
}

function specialRequests(random: SeededRandom, guests: number): string {
  const lines = new Set<string>();
  const dietaryCount = random.int(1, 3);
  for (let i = 0; i < dietaryCount; i++) {
    lines.add(fill(random.pick(dietaryNeeds), random, guests));
  }
  const setupCount = random.int(0, 2);
  for (let i = 0; i < setupCount; i++) lines.add(fill(random.pick(setupRequests), random, guests));
  return [...lines].join("\n");
}

function fill(text: string, random: SeededRandom, guests: number): string {
  return text
    .replace("{n}", String(random.int(1, Math.max(1, Math.min(20, Math.floor(guests / 5))))))
    .replace("{t}", String(random.int(1, Math.max(1, Math.ceil(guests / 10)))));
}

function addHours(time: string, hours: number): string {
  const [h = 0, m = 0] = time.split(":").map(Number);
  const end = Math.min(h + hours, 23);
  return `${String(end).padStart(2, "0")}:${String(end === 23 && h + hours > 23 ? 59 : m).padStart(2, "0")}`;
}

function roundTo(value: number, step: number): number {
  return Math.max(step, Math.round(value / step) * step);
}

function largestRoom<T extends { capacity: number }>(rooms: readonly T[]): T {
  const sorted = [...rooms].sort((a, b) => b.capacity - a.capacity);
  if (!sorted[0]) throw new Error("venue without rooms");
  return sorted[0];
}

function ascii(value: string): string {
  return value.normalize("NFD").replace(/[^A-Za-z]/g, "");
}
