import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { BEODocument } from "@maestro/shared/maestro.schema";
import { dietaryMark, fieldLabel, formatEventDate, formatValue, toWinAnsi } from "./beo-pdf-format.ts";
import { renderBeoPdf, type BeoPdfInput } from "./beo-pdf.ts";

const hasPoppler = existsSync("/usr/bin/pdftotext") && existsSync("/usr/bin/pdftoppm");
// BEO_PDF_SCREENSHOTS=1 also writes page PNGs to screenshots/ for eyeballing the layout.
const screenshotDir = join(import.meta.dirname, "../../../../screenshots");

function pdfText(pdf: Buffer): string {
  return execFileSync("/usr/bin/pdftotext", ["-layout", "-", "-"], { input: pdf }).toString("utf8");
}

function pageCount(pdf: Buffer): number {
  return pdf.toString("latin1").match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

function snapshot(name: string, pdf: Buffer): void {
  if (!process.env.BEO_PDF_SCREENSHOTS || !hasPoppler) return;
  mkdirSync(screenshotDir, { recursive: true });
  writeFileSync(join(screenshotDir, `${name}.pdf`), pdf);
  execFileSync("/usr/bin/pdftoppm", [
    "-png",
    "-r",
    "80",
    join(screenshotDir, `${name}.pdf`),
    join(screenshotDir, name),
  ]);
}

const LAYOUT = "Rounds of 10, head table for 12 on riser, dance floor centre";

function weddingBeo(overrides: Partial<BEODocument> = {}): BEODocument {
  return {
    id: "beo_01",
    version: 7,
    beoNumber: 1042,
    status: "pending_approval",
    header: {
      eventName: "Whitfield–Moreau Wedding Reception",
      clientName: "Claire Whitfield",
      salesRepName: "Daniel Okafor",
    },
    event: {
      date: "2027-03-13",
      time: "18:00",
      endTime: "23:30",
      room: "Harbor Ballroom",
      expected: 200,
      guaranteed: 185,
      set: 190,
    },
    menu: {
      items: [
        { name: "Passed canapés: smoked salmon blini, crème fraîche, dill", quantity: 400, dietary: ["GF"] },
        { name: "Burrata, heirloom tomato, basil oil", quantity: 120, dietary: ["vegetarian", "gluten-free"] },
        { name: "Roasted beet & quinoa salad", quantity: 65, dietary: ["vegan", "GF", "nut-free"] },
        { name: "Beef tenderloin, pommes purée, red wine jus", quantity: 110 },
        { name: "Pan-seared halibut, beurre blanc", quantity: 60, dietary: ["GF"] },
        { name: "Wild mushroom risotto", quantity: 15, dietary: ["V", "GF"] },
        { name: "Halal chicken supreme", quantity: 8, dietary: ["halal", "DF"] },
        { name: "Kids' menu: chicken tenders & fries", quantity: 12, dietary: ["contains sesame"] },
        { name: "Wedding cake service (client-supplied)", dietary: [] },
      ],
      specialInstructions: [
        "Bride has a severe tree-nut allergy — prepare her plate separately and run it with the captain.",
        "Table 4: two guests kosher, meals ordered from Levy's; plate in sealed trays.",
        "Mains to fire at 19:45 after the toasts.",
      ].join("\n"),
    },
    setup: {
      layout: LAYOUT,
      specialRequests: "Ivory linens, gold chargers. Cake table by the window, sweetheart lighting.",
    },
    calendarEventId: "cal_01",
    createdAt: "2027-01-10T10:00:00Z",
    updatedAt: "2027-03-12T16:40:00Z",
    ...overrides,
  };
}

function weddingInput(overrides: Partial<BeoPdfInput> = {}): BeoPdfInput {
  return {
    beo: weddingBeo(),
    organizationName: "Grand Harbor Hotel",
    revisionNumber: 7,
    approvedBy: "Maria Lopez",
    approvedAt: "2027-03-10T14:05:00Z",
    contractStatus: "signed",
    changesSinceApproval: [
      { field: "event.guaranteed", old: 180, new: 185, who: "Daniel Okafor", at: "2027-03-12T16:40:00Z" },
      { field: "event.endTime", old: "23:00", new: "23:30", who: "Echo CRM sync", at: "2027-03-12T16:41:00Z" },
      { field: "setup.layout", old: undefined, new: LAYOUT, who: "Daniel Okafor", at: "2027-03-12T17:02:00Z" },
    ],
    generatedAt: new Date("2027-03-13T09:00:00Z"),
    timeZone: "UTC",
    ...overrides,
  };
}

function longInput(): BeoPdfInput {
  const dietary = [["V"], ["VG", "GF"], [], ["DF"], ["H"], ["K", "NF"], ["GF"], []];
  const items = Array.from({ length: 80 }, (_, i) => ({
    name:
      i % 9 === 0
        ? `Station ${i + 1}: chef-attended carving of slow-roasted rib of beef with horseradish cream, Yorkshire puddings`
        : `Menu item ${i + 1}`,
    quantity: 20 + i,
    dietary: dietary[i % dietary.length],
  }));
  const rule = "Keep hot holding at 63 °C or above, label every allergen tray, and confirm counts with the captain. ";
  const instructions = Array.from({ length: 14 }, (_, i) => `Paragraph ${i + 1}: ${rule.repeat(4)}`).join("\n");
  return weddingInput({
    beo: weddingBeo({ beoNumber: 2077, status: "approved", menu: { items, specialInstructions: instructions } }),
    changesSinceApproval: [],
  });
}

describe("renderBeoPdf", () => {
  it("renders a wedding BEO on one page with counts, dietary marks and the changes since approval", async () => {
    const pdf = await renderBeoPdf(weddingInput());
    snapshot("beo-wedding", pdf);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pageCount(pdf)).toBe(1);
    if (!hasPoppler) return;
    const text = pdfText(pdf);
    const expected = [
      "BEO #1042",
      "BANQUET EVENT ORDER",
      "PENDING APPROVAL",
      "Saturday, 13 March 2027",
      "18:00 – 23:30",
      "Harbor Ballroom",
      "185",
      "[VG] [GF] [NF]",
      "[contains sesame]",
      "Guaranteed count",
      "Page 1 of 1",
    ];
    for (const string of expected) {
      expect(text).toContain(string);
    }
    expect(text).toMatch(/Guaranteed count\s+180\s+185\s+Daniel Okafor/);
  });

  it("continues an 80-item menu and long instructions across pages with page numbers", async () => {
    const pdf = await renderBeoPdf(longInput());
    snapshot("beo-long", pdf);
    const pages = pageCount(pdf);
    expect(pages).toBe(5);
    if (!hasPoppler) return;
    const text = pdfText(pdf);
    expect(text).toContain("Menu item 80");
    expect(text).toContain("Paragraph 14:");
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain("ITEM (CONTINUED)");
    expect(text.match(/BEO #2077/g)?.length).toBeGreaterThanOrEqual(pages * 2); // header band + footer on every page
    expect(text).not.toContain("CHANGES SINCE LAST APPROVAL");
  });

  it("stamps a cancelled BEO and copes with missing optional fields", async () => {
    const beo = weddingBeo({ status: "cancelled" });
    const pdf = await renderBeoPdf({
      beo: {
        ...beo,
        header: { eventName: beo.header.eventName },
        event: { date: "2027-03-14", time: "12:00", room: "Terrace", guaranteed: 40 },
        menu: { items: [], specialInstructions: "" },
        setup: { specialRequests: "" },
      },
      organizationName: "Grand Harbor Hotel",
      revisionNumber: 3,
      changesSinceApproval: [],
      generatedAt: new Date("2027-03-13T09:00:00Z"),
    });
    snapshot("beo-cancelled", pdf);
    expect(pageCount(pdf)).toBe(1);
    if (!hasPoppler) return;
    const text = pdfText(pdf);
    expect(text.match(/CANCELLED/g)?.length).toBeGreaterThanOrEqual(2); // status pill + stamp
    expect(text).toContain("No menu items.");
  });

  it("prints names outside Latin-1 without throwing", async () => {
    const header = {
      eventName: "Gala Łukasz Wiśniewski · Ωmega",
      clientName: "Zoë Šťastná",
      salesRepName: "Дмитрий Орлов",
    };
    const beo = weddingBeo({ header });
    const pdf = await renderBeoPdf(weddingInput({ beo, changesSinceApproval: [] }));
    snapshot("beo-unicode", pdf);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    if (!hasPoppler || !existsSync("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")) return;
    const text = pdfText(pdf);
    expect(text).toContain("Łukasz Wiśniewski");
    expect(text).toContain("Дмитрий Орлов");
  });

  it("keeps going on hostile input: long words, emoji, many changes, no venue name", async () => {
    const word = "Supercalifragilisticexpialidocious".repeat(8);
    const beo = weddingBeo({
      status: "draft",
      header: { eventName: `${word} 🎉 launch`, clientName: word },
      menu: { items: [{ name: word, quantity: 0, dietary: ["vegan", "low-FODMAP", "🌶"] }], specialInstructions: word },
    });
    const changes = Array.from({ length: 40 }, (_, i) => ({
      field: i % 2 ? "menu.items" : "menu.specialInstructions",
      old: i % 2 ? [{ name: "Soup", quantity: 10 }] : "x".repeat(500),
      new: i % 2 ? [{ name: "Salad", quantity: 12 }, { name: "Bread" }] : { nested: { value: i } },
      who: "Someone with a rather long display name from the Echo CRM integration",
      at: "2026-12-31T23:59:00Z",
    }));
    const pdf = await renderBeoPdf(weddingInput({ beo, organizationName: "", changesSinceApproval: changes }));
    snapshot("beo-hostile", pdf);
    expect(pageCount(pdf)).toBeGreaterThanOrEqual(2);
    if (!hasPoppler) return;
    expect(pdfText(pdf)).toContain("CHANGES SINCE LAST APPROVAL (CONTINUED)");
  });

  it("falls back to Helvetica when the DejaVu font is not installed", async () => {
    vi.resetModules();
    vi.doMock("node:fs", async (importOriginal) => ({ ...(await importOriginal<object>()), existsSync: () => false }));
    try {
      const { renderBeoPdf: render } = await import("./beo-pdf.ts");
      const beo = weddingBeo({ header: { eventName: "Gala Łukasz Wiśniewski 東京" } });
      const pdf = await render(weddingInput({ beo }));
      expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      if (hasPoppler) expect(pdfText(pdf)).toContain("Gala Lukasz Wisniewski ??");
    } finally {
      vi.doUnmock("node:fs");
      vi.resetModules();
    }
  });
});

describe("BEO print formatting", () => {
  it("writes event dates out in full", () => {
    expect(formatEventDate("2027-03-13")).toBe("Saturday, 13 March 2027");
    expect(formatEventDate("not a date")).toBe("not a date");
  });

  it("names nested fields for people and formats their values", () => {
    expect(fieldLabel("event.guaranteed")).toBe("Guaranteed count");
    expect(fieldLabel("menu.items[2].quantity")).toBe("Menu item 3 quantity");
    expect(formatValue("status", "pending_approval")).toBe("PENDING APPROVAL");
    expect(formatValue("event.date", "2027-03-13")).toBe("Sat 13 Mar 2027");
    expect(formatValue("menu.items", [{ name: "Soup", quantity: 40 }, { name: "Bread" }])).toBe("40 × Soup, Bread");
    expect(formatValue("setup.layout", null)).toBe("—");
  });

  it("maps dietary words to marks and keeps unknown marks as given", () => {
    const words = ["vegetarian", "Vegan", "gluten-free", "DF", "nut free", "Halal", "kosher"];
    expect(words.map(dietaryMark).join("")).toBe("[V][VG][GF][DF][NF][H][K]");
    expect(dietaryMark("contains sesame")).toBe("[contains sesame]");
  });

  it("falls back to plain letters when no Unicode font is available", () => {
    expect(toWinAnsi("Łukasz Wiśniewski, Zoë — 東京")).toBe("Lukasz Wisniewski, Zoë — ??");
  });
});
