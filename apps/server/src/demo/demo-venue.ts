import type { BeoBody } from "../beo/beo-document.ts";

// The demo venue: a harbour-side hotel with ballrooms that combine, a terrace
// and small private rooms, and the in-house events operations booked directly.

export const DEMO_VENUE_NAME = "Grand Harbor Hotel";

export const DEMO_ROOMS = [
  { name: "Grand Ballroom", capacity: 400, combinesWith: ["Ballroom A", "Ballroom B"] },
  { name: "Ballroom A", capacity: 200, combinesWith: ["Grand Ballroom"] },
  { name: "Ballroom B", capacity: 200, combinesWith: ["Grand Ballroom"] },
  { name: "Harbor Terrace", capacity: 150, combinesWith: [] },
  { name: "Crystal Room", capacity: 120, combinesWith: [] },
  { name: "Library", capacity: 40, combinesWith: [] },
  { name: "Boardroom", capacity: 20, combinesWith: [] },
  { name: "Chef's Table", capacity: 12, combinesWith: [] },
];

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export type DemoBooking = { body: BeoBody; status: "tentative" | "confirmed"; approve?: boolean; submit?: boolean };

// Direct bookings (not from Echo), each with a BEO.
export function demoBookings(): DemoBooking[] {
  return [
    {
      status: "confirmed",
      approve: true,
      body: {
        header: {
          eventName: "Rotary Club Monthly Luncheon",
          clientName: "Harbor City Rotary",
          salesRepName: "In-house",
        },
        event: { date: day(2), time: "12:00", endTime: "14:00", room: "Crystal Room", expected: 70, guaranteed: 64 },
        menu: {
          items: [
            { name: "Roasted tomato bisque", quantity: 64, dietary: ["V", "GF"] },
            { name: "Herb-crusted salmon, lemon beurre blanc", quantity: 40, dietary: ["GF"] },
            { name: "Wild mushroom ravioli", quantity: 24, dietary: ["V"] },
            { name: "Seasonal fruit tart", quantity: 64 },
          ],
          specialInstructions: "Two guests gluten-free (table 3). Coffee service at 13:30 sharp.",
        },
        setup: { layout: "Rounds of 8, podium with microphone", specialRequests: "Flag stand beside the podium." },
      },
    },
    {
      status: "confirmed",
      submit: true,
      body: {
        header: { eventName: "Staff Holiday Party", clientName: "Grand Harbor Hotel", salesRepName: "In-house" },
        event: {
          date: day(9),
          time: "19:00",
          endTime: "23:00",
          room: "Harbor Terrace",
          expected: 130,
          guaranteed: 120,
        },
        menu: {
          items: [
            { name: "Carving station: roast sirloin", quantity: 80, dietary: ["GF", "DF"] },
            { name: "Vegan paella", quantity: 40, dietary: ["VG", "GF"] },
            { name: "Mezze platters", quantity: 15, dietary: ["V"] },
            { name: "Chocolate fountain", quantity: 1, dietary: ["NF"] },
          ],
          specialInstructions: "Halal option for 12 guests (label clearly).",
        },
        setup: { layout: "Cocktail, high-tops, DJ corner", specialRequests: "Heaters on the terrace from 18:30." },
      },
    },
    {
      status: "tentative",
      body: {
        header: {
          eventName: "Chef's Table Tasting — Vega Anniversary",
          clientName: "Lucía Vega",
          salesRepName: "In-house",
        },
        event: { date: day(5), time: "19:30", endTime: "22:30", room: "Chef's Table", guaranteed: 8 },
        menu: {
          items: [
            { name: "Oyster, yuzu mignonette", quantity: 8, dietary: ["GF", "DF"] },
            { name: "Beetroot tartare", quantity: 8, dietary: ["VG"] },
            { name: "Dry-aged duck, cherry jus", quantity: 7, dietary: ["GF"] },
            { name: "Miso black cod", quantity: 1, dietary: ["DF"] },
          ],
          specialInstructions: "One pescatarian guest: black cod instead of duck.",
        },
        setup: { layout: "Counter seating", specialRequests: "Anniversary card at each place." },
      },
    },
  ];
}
