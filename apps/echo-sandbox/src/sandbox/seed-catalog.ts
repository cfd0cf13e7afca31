// Reference data for realistic sandbox events.

export type Room = { name: string; capacity: number; kind: "ballroom" | "meeting" | "outdoor" | "restaurant" };
export type Venue = { name: string; timezone: string; rooms: Room[] };

export const venues: Venue[] = [
  {
    name: "Harborview Grand Hotel",
    timezone: "America/New_York",
    rooms: [
      { name: "Grand Ballroom", capacity: 600, kind: "ballroom" },
      { name: "Crystal Ballroom", capacity: 350, kind: "ballroom" },
      { name: "Harbor Room", capacity: 120, kind: "meeting" },
      { name: "Terrace Pavilion", capacity: 220, kind: "outdoor" },
      { name: "Boardroom A", capacity: 20, kind: "meeting" },
      { name: "Boardroom B", capacity: 16, kind: "meeting" },
    ],
  },
  {
    name: "Meridian Conference Center",
    timezone: "America/Chicago",
    rooms: [
      { name: "Meridian Hall", capacity: 900, kind: "ballroom" },
      { name: "Summit Room", capacity: 160, kind: "meeting" },
      { name: "Atlas Room", capacity: 60, kind: "meeting" },
      { name: "Breakout 1", capacity: 30, kind: "meeting" },
      { name: "Skyline Restaurant", capacity: 140, kind: "restaurant" },
    ],
  },
];

export type EventTemplate = {
  kind: string;
  names: readonly string[];
  guests: readonly [number, number];
  perHead: readonly [number, number];
  startTimes: readonly string[];
  hours: number;
  rooms: readonly Room["kind"][];
};

export const eventTemplates: EventTemplate[] = [
  {
    kind: "wedding",
    names: ["{a} & {b} Wedding Reception", "{a}–{b} Wedding"],
    guests: [60, 320],
    perHead: [150, 280],
    startTimes: ["17:00", "17:30", "18:00"],
    hours: 6,
    rooms: ["ballroom", "outdoor"],
  },
  {
    kind: "conference",
    names: ["{company} Annual Conference", "{company} Sales Kickoff", "{company} Partner Summit"],
    guests: [80, 700],
    perHead: [85, 170],
    startTimes: ["08:00", "08:30", "09:00"],
    hours: 9,
    rooms: ["ballroom", "meeting"],
  },
  {
    kind: "gala",
    names: ["{org} Charity Gala", "{org} Spring Gala", "{org} Awards Gala"],
    guests: [150, 550],
    perHead: [180, 360],
    startTimes: ["18:30", "19:00"],
    hours: 5,
    rooms: ["ballroom"],
  },
  {
    kind: "corporate dinner",
    names: ["{company} Client Appreciation Dinner", "{company} Leadership Dinner"],
    guests: [20, 140],
    perHead: [110, 220],
    startTimes: ["18:30", "19:00", "19:30"],
    hours: 3,
    rooms: ["restaurant", "meeting", "outdoor"],
  },
  {
    kind: "board meeting",
    names: ["{company} Board Meeting", "{company} Quarterly Review"],
    guests: [8, 18],
    perHead: [60, 120],
    startTimes: ["08:30", "09:00", "13:00"],
    hours: 4,
    rooms: ["meeting"],
  },
  {
    kind: "holiday party",
    names: ["{company} Holiday Party", "{company} Year-End Celebration"],
    guests: [60, 400],
    perHead: [90, 180],
    startTimes: ["18:00", "19:00"],
    hours: 5,
    rooms: ["ballroom", "restaurant"],
  },
  {
    kind: "bar mitzvah",
    names: ["{a} Bar Mitzvah Celebration", "{a} Bat Mitzvah Celebration"],
    guests: [80, 250],
    perHead: [140, 240],
    startTimes: ["11:30", "18:00"],
    hours: 5,
    rooms: ["ballroom"],
  },
  {
    kind: "luncheon",
    names: ["{org} Awards Luncheon", "{company} Retirement Luncheon"],
    guests: [30, 200],
    perHead: [45, 95],
    startTimes: ["11:30", "12:00"],
    hours: 3,
    rooms: ["ballroom", "restaurant", "meeting"],
  },
];

export const firstNames = [
  "Olivia",
  "Liam",
  "Amara",
  "Noah",
  "Priya",
  "Mateo",
  "Sofia",
  "Ethan",
  "Hana",
  "Lucas",
  "Grace",
  "Diego",
  "Chloe",
  "Samuel",
  "Aisha",
  "Jonah",
  "Mei",
  "Oscar",
  "Leila",
  "Theo",
];
export const lastNames = [
  "Bennett",
  "Okafor",
  "Nakamura",
  "Rossi",
  "Patel",
  "García",
  "Lindqvist",
  "O'Connor",
  "Haddad",
  "Kowalski",
  "Nguyen",
  "Fischer",
  "Mensah",
  "Delgado",
  "Whitaker",
  "Sato",
  "Abernathy",
  "Cohen",
  "Moreau",
  "Ibrahim",
];
export const companies = [
  "Northwind Traders",
  "Bluefin Analytics",
  "Cedar & Stone Architects",
  "Lumen Health",
  "Atlas Robotics",
  "Greenleaf Foods",
  "Brightpath Capital",
  "Orion Aerospace",
  "Harbor Freight Logistics",
  "Silverline Software",
];
export const organizations = [
  "Children's Hospital Foundation",
  "City Arts Council",
  "Ocean Conservancy League",
  "Literacy For All",
  "Riverside Food Bank",
  "Metropolitan Opera Guild",
];

export const salesReps = [
  { name: "Jordan Ellis", email: "jordan.ellis@echo-events.example" },
  { name: "Maya Brooks", email: "maya.brooks@echo-events.example" },
  { name: "Carlos Vega", email: "carlos.vega@echo-events.example" },
  { name: "Naomi Park", email: "naomi.park@echo-events.example" },
  { name: "Sam Whitfield", email: "sam.whitfield@echo-events.example" },
];

export const dietaryNeeds = [
  "{n} vegetarian meals",
  "{n} vegan meals",
  "{n} gluten-free meals",
  "{n} kosher meals",
  "{n} halal meals",
  "{n} dairy-free desserts",
  "One guest with a severe peanut allergy: nut-free preparation for table {t}",
  "Shellfish allergy for {n} guests: no shellfish at their tables",
];

export const setupRequests = [
  "Round tables of 10 with ivory linens",
  "Classroom seating with a center aisle",
  "Stage with podium and two wireless microphones",
  "Projector, screen and a confidence monitor",
  "24×24 ft dance floor in front of the stage",
  "Late-night snack station at 22:00",
  "Coat check at the main entrance",
  "Wheelchair-accessible seating near the entrance",
  "Signature cocktail on arrival",
  "Kids' menu for {n} children",
  "Coffee break service at 10:30 and 15:00",
];
