import { existsSync } from "node:fs";
import PDFDocument from "pdfkit";
import type { BEODocument } from "@maestro/shared/maestro.schema";
import { PRINT_COLOR as C, STATUS_COLOR, TYPE, type PrintStyle as Style } from "./beo-pdf-format.ts";
import { dietaryLegend, dietaryMark, formatChangeRow, formatCount, formatEventDetails } from "./beo-pdf-format.ts";
import { formatTimestamp, isWinAnsi, statusLabel, toWinAnsi } from "./beo-pdf-format.ts";

// The printed Banquet Event Order: the sheet the kitchen and banquet team pin on the wall.

export type BeoPdfChange = { field: string; old: unknown; new: unknown; who: string; at: string };

export type BeoPdfInput = {
  beo: BEODocument;
  organizationName: string;
  revisionNumber: number;
  changesSinceApproval: BeoPdfChange[];
  approvedBy?: string;
  approvedAt?: string;
  contractStatus?: string;
  generatedAt: Date;
  /** IANA zone for printed timestamps (generated, approved, changed); defaults to the server's. */
  timeZone?: string;
};

type Doc = PDFKit.PDFDocument;
type TextOptions = PDFKit.Mixins.TextOptions;
type Fonts = { regular: string; bold: string; clean: (text: string) => string };

const DEJAVU = "/usr/share/fonts/truetype/dejavu";
const M = 40; // left/right margin
const TOP = 80; // content top on continuation pages, below the header band
const BOTTOM = 52; // reserved for the footer
const SIGNATURES_H = 40; // chef / banquet manager lines above the footer on the last page
const LINE: TextOptions = { lineBreak: false };
const PARAGRAPH: TextOptions = { lineGap: 1.5, paragraphGap: 4 };

// Built-in Helvetica only speaks WinAnsi; anything else needs an embedded TTF, if the box has one.
function chooseFonts(doc: Doc, input: BeoPdfInput): Fonts {
  const helvetica: Fonts = { regular: "Helvetica", bold: "Helvetica-Bold", clean: toWinAnsi };
  if (isWinAnsi(JSON.stringify({ ...input, generatedAt: 0 }))) return helvetica;
  const [regular, bold] = [`${DEJAVU}/DejaVuSans.ttf`, `${DEJAVU}/DejaVuSans-Bold.ttf`];
  try {
    if (!existsSync(regular)) return helvetica;
    doc.registerFont("beo-regular", regular);
    doc.registerFont("beo-bold", existsSync(bold) ? bold : regular);
    doc.font("beo-bold").font("beo-regular"); // parse now, so a broken file falls back here
    return { regular: "beo-regular", bold: "beo-bold", clean: (text) => text };
  } catch {
    return helvetica;
  }
}

export function renderBeoPdf(input: BeoPdfInput): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    try {
      const { beo, generatedAt: date } = input;
      const title = `BEO #${beo.beoNumber} — ${beo.header.eventName}`;
      const info = { Title: title, Author: input.organizationName, Creator: "Maestro Banquets" };
      const doc = new PDFDocument({
        size: "A4",
        margins: { top: TOP, bottom: BOTTOM, left: M, right: M },
        bufferPages: true,
        info: { ...info, Subject: "Banquet Event Order", CreationDate: date, ModDate: date },
      });
      const chunks: Buffer[] = [];
      doc.on("data", (chunk: Buffer) => chunks.push(chunk));
      doc.on("end", () => resolve(Buffer.concat(chunks)));
      doc.on("error", reject);
      drawBeo(doc, input, chooseFonts(doc, input));
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

function drawBeo(doc: Doc, input: BeoPdfInput, fonts: Fonts): void {
  const { beo, changesSinceApproval: changes } = input;
  const W = doc.page.width - 2 * M;
  const t = fonts.clean;
  const status = statusLabel(beo.status);
  const beoNo = `BEO #${beo.beoNumber}`;
  const rev = `REV ${input.revisionNumber}`;
  let current: Style = TYPE.body;

  const use = (style: Style): Doc => {
    current = style;
    return doc.font(style[0] === "bold" ? fonts.bold : fonts.regular, style[1]).fillColor(style[2] ?? C.ink);
  };
  const write = (style: Style, text: string, x: number, y: number, options: TextOptions = {}) =>
    use(style).text(text, x, y, options);
  const oneLine = (style: Style, text: string, x: number, y: number, options: TextOptions) =>
    write(style, text, x, y, { height: use(style).currentLineHeight(true), ellipsis: true, ...options });
  const label = (text: string, x: number, y: number, options: TextOptions = {}) =>
    write(TYPE.label, text.toUpperCase(), x, y, { characterSpacing: 0.8, ...LINE, ...options });
  const hline = (x: number, y: number, width: number, color: string, weight: number) => {
    doc.moveTo(x, y).lineTo(x + width, y);
    doc.lineWidth(weight).stroke(color);
  };
  const bottomY = () => doc.page.height - BOTTOM;
  // Starts a new page (its header comes from the pageAdded handler) when `height` won't fit; says whether it did.
  const ensureSpace = (height: number): boolean => {
    if (doc.y + height <= bottomY()) return false;
    doc.addPage();
    return true;
  };

  const pill = (rightX: number, y: number): number => {
    const width = use(["bold", 9]).widthOfString(status) + 18;
    doc.roundedRect(rightX - width, y, width, 17, 8.5).fill(STATUS_COLOR[beo.status] ?? C.muted);
    write(["bold", 9, C.white], status, rightX - width + 9, y + 4.5, LINE);
    return rightX - width;
  };

  const mainHeader = () => {
    const y = 28;
    doc.roundedRect(M, y, W, 70, 5).fill(C.band);
    const venue = t(input.organizationName.toUpperCase());
    oneLine(["bold", 8.5, C.bandText], venue, M + 16, y + 14, { width: W * 0.55 });
    write(["bold", 21, C.white], "BANQUET EVENT ORDER", M + 16, y + 30, LINE);
    write(["bold", 24, C.white], beoNo, M, y + 10, { width: W - 16, align: "right", ...LINE });
    const pillLeft = pill(M + W - 16, y + 42);
    write(["bold", 10, C.bandText], rev, M, y + 45.5, { width: pillLeft - M - 10, align: "right", ...LINE });
  };

  // Runs on pdfkit's pageAdded, also mid-way through a long text flow: hand back its font and position.
  const continuationHeader = () => {
    const [y, flowing] = [28, current];
    doc.roundedRect(M, y, W, 34, 5).fill(C.band);
    const pillLeft = pill(M + W - 12, y + 8.5);
    write(["bold", 8, C.bandText], rev, M, y + 13, { width: pillLeft - M - 10, align: "right", ...LINE });
    const title = t(`${beoNo} · ${beo.header.eventName}`);
    oneLine(["bold", 11, C.white], title, M + 14, y + 11, { width: pillLeft - M - 80 });
    use(flowing);
    doc.x = M;
    doc.y = TOP;
  };

  const sectionHeading = (title: string, note?: string, x = M, width = W) => {
    ensureSpace(64);
    const y = doc.y + 12;
    write(["bold", 10.5], title.toUpperCase(), x, y, { characterSpacing: 1, ...LINE });
    if (note) write(["regular", 7.5, C.muted], note, x, y + 2.5, { width, align: "right", ...LINE });
    hline(x, y + 15, width, C.band, 1.25);
    doc.x = x;
    doc.y = y + 21;
  };

  const paragraph = (text: string, x = M, width = W) => {
    if (text.trim()) write(TYPE.body, t(text.trim()), x, doc.y, { width, ...PARAGRAPH });
    else write(TYPE.none, "None.", x, doc.y, { width });
  };

  const details = () => {
    let top = 110;
    if (beo.status === "cancelled") {
      doc.rect(M, top, W, 24).fill(C.stamp);
      const banner = "EVENT CANCELLED — DO NOT PREP, ORDER OR SET";
      write(["bold", 11, C.white], banner, M, top + 7, { width: W, align: "center", characterSpacing: 0.8 });
      top += 34;
    }
    write(["bold", 18], t(beo.header.eventName), M, top, { width: W });
    let y = doc.y + 6;
    for (const row of formatEventDetails(beo, input)) {
      let [x, bottom] = [M, y];
      for (const { name, value, sub, share } of row) {
        const width = W * share - 12;
        label(name, x, y);
        write(value ? TYPE.value : TYPE.valueMissing, t(value || "—"), x, y + 10, { width });
        if (sub) write(TYPE.sub, t(sub), x, doc.y, { width });
        bottom = Math.max(bottom, doc.y);
        x += W * share;
      }
      y = bottom + 6;
    }
    doc.y = y;
  };

  const counts = () => {
    const [gap, height, y] = [10, 54, doc.y + 2];
    const boxW = (W - 2 * gap) / 3;
    const { expected, guaranteed, set } = beo.event;
    Object.entries({ Expected: expected, Guaranteed: guaranteed, Set: set }).forEach(([name, value], i) => {
      const x = M + i * (boxW + gap);
      const strong = name === "Guaranteed"; // the number the kitchen cooks to
      if (strong) doc.roundedRect(x, y, boxW, height, 5).fill(C.band);
      else doc.roundedRect(x, y, boxW, height, 5).lineWidth(1.25).stroke(C.band);
      const center: TextOptions = { width: boxW, align: "center", ...LINE };
      const labelStyle: Style = ["bold", 8.5, strong ? C.bandText : C.muted];
      write(labelStyle, name.toUpperCase(), x, y + 8, { ...center, characterSpacing: 1.2 });
      const color = strong ? C.white : value === undefined ? C.muted : C.ink;
      write(["bold", 28, color], formatCount(value), x, y + 20, center);
    });
    doc.x = M;
    doc.y = y + height + 4;
  };

  const changeBox = () => {
    if (changes.length === 0) return;
    const pad = 14;
    const cols = [W * 0.22 - pad, W * 0.2, W * 0.28, W * 0.3 - pad]; // field, was, now, changed by
    const xs = cols.map((_, i) => M + pad + cols.slice(0, i).reduce((a, b) => a + b, 0));
    const width = (i: number) => (cols[i] ?? 100) - 8;
    const band = (y: number, height: number) => {
      doc.rect(M, y, W, height).fill(C.changeBg);
      doc.rect(M, y, 4, height).fill(C.changeBar);
    };
    const title = (continued: boolean) => {
      const y = doc.y;
      band(y, 30);
      const heading = `CHANGES SINCE LAST APPROVAL${continued ? " (CONTINUED)" : ""}`;
      write(["bold", 10.5, C.changeTitle], heading, M + pad, y + 7, { characterSpacing: 0.6, ...LINE });
      const count = `${changes.length} change${changes.length === 1 ? "" : "s"}`;
      write(["regular", 8.5, C.changeTitle], count, M, y + 8.5, { width: W - pad, align: "right", ...LINE });
      ["FIELD", "WAS", "NOW", "CHANGED BY"].forEach((name, i) =>
        write(["bold", 7, C.changeTitle], name, xs[i] ?? M, y + 21, { characterSpacing: 0.8, ...LINE }),
      );
      doc.y = y + 30;
    };
    doc.y += 8;
    ensureSpace(70);
    title(false);
    changes.forEach((change, index) => {
      const cells = formatChangeRow(change, input.generatedAt, input.timeZone).map(t);
      const styleOf = (i: number) => TYPE.changeRow[i] ?? TYPE.body;
      const heights = cells.map((cell, i) => use(styleOf(i)).heightOfString(cell, { width: width(i) }));
      const height = Math.max(...heights) + 8;
      if (ensureSpace(height)) title(true);
      const y = doc.y;
      band(y, height);
      if (index > 0) hline(M + pad, y, W - 2 * pad, C.changeRule, 0.5);
      cells.forEach((cell, i) => {
        const strike = i === 1 && cell !== "—"; // the old value, crossed out
        write(styleOf(i), cell, xs[i] ?? M, y + (i === 3 ? 5.3 : 4.5), { width: width(i), strike });
      });
      doc.y = y + height;
    });
    band(doc.y, 5);
    doc.x = M;
    doc.y += 5;
  };

  const menu = () => {
    const items = beo.menu.items;
    sectionHeading("Menu", items.length ? dietaryLegend() : undefined);
    if (items.length === 0) return void write(TYPE.none, "No menu items.", M, doc.y, { width: W });
    const [qtyW, dietW] = [58, 150];
    const itemW = W - qtyW - dietW;
    const tableHead = (continued: boolean) => {
      const y = doc.y;
      doc.rect(M, y, W, 17).fill(C.tableHead);
      label("Qty", M, y + 5.5, { width: qtyW - 14, align: "right" });
      label(continued ? "Item (continued)" : "Item", M + qtyW, y + 5.5);
      label("Dietary", M + qtyW + itemW, y + 5.5);
      doc.y = y + 17;
    };
    ensureSpace(44);
    tableHead(false);
    items.forEach((item, index) => {
      const name = t(item.name);
      const marks = t((item.dietary ?? []).map(dietaryMark).join(" "));
      const nameH = use(TYPE.body).heightOfString(name, { width: itemW - 10 });
      const marksH = marks ? use(["bold", 9.5]).heightOfString(marks, { width: dietW - 6 }) : 0;
      const height = Math.max(nameH, marksH) + 7;
      if (ensureSpace(height)) tableHead(true);
      const y = doc.y;
      if (index % 2 === 1) doc.rect(M, y, W, height).fill(C.zebra);
      const qtyStyle: Style = ["bold", 11, item.quantity === undefined ? C.muted : C.ink];
      write(qtyStyle, formatCount(item.quantity), M, y + 3, { width: qtyW - 14, align: "right", ...LINE });
      write(TYPE.body, name, M + qtyW, y + 3.5, { width: itemW - 10 });
      if (marks) write(["bold", 9.5, C.diet], marks, M + qtyW + itemW, y + 4.5, { width: dietW - 6 });
      doc.y = y + height;
    });
    hline(M, doc.y, W, C.rule, 0.75);
  };

  const setupBlock = (x: number, width: number) => {
    ensureSpace(30);
    const top = doc.y;
    label("Layout", x, top);
    write(beo.setup.layout ? ["bold", 11] : TYPE.none, t(beo.setup.layout || "—"), x, top + 10, { width });
    ensureSpace(40);
    const requestsTop = doc.y + 7;
    label("Special requests", x, requestsTop);
    doc.y = requestsTop + 11;
    paragraph(beo.setup.specialRequests, x, width);
  };

  // Short notes sit side by side so a typical BEO stays on one sheet; long ones flow full width.
  const notes = () => {
    const [leftW, rightW, rightX] = [W * 0.6 - 12, W * 0.4 - 12, M + W * 0.6 + 12];
    const { specialInstructions } = beo.menu;
    const measure = (style: Style, text: string, width: number) =>
      use(style).heightOfString(t(text.trim() || "None."), { width, ...PARAGRAPH });
    const layoutH = measure(["bold", 11], beo.setup.layout ?? "", rightW);
    const rightH = 33 + layoutH + measure(TYPE.body, beo.setup.specialRequests, rightW);
    const height = 34 + Math.max(measure(TYPE.body, specialInstructions, leftW), rightH);
    if (doc.y + height > bottomY() - SIGNATURES_H - 4) {
      sectionHeading("Special instructions");
      paragraph(specialInstructions);
      sectionHeading("Setup");
      return setupBlock(M, W);
    }
    const top = doc.y;
    sectionHeading("Special instructions", undefined, M, leftW);
    paragraph(specialInstructions, M, leftW);
    const leftEnd = doc.y;
    doc.y = top;
    sectionHeading("Setup", undefined, rightX, rightW);
    setupBlock(rightX, rightW);
    doc.x = M;
    doc.y = Math.max(leftEnd, doc.y);
  };

  const signatures = () => {
    const [top, lineW] = [bottomY() - SIGNATURES_H, 220];
    if (doc.y + 8 > top) doc.addPage();
    ["Chef", "Banquet manager"].forEach((role, i) => {
      const left = i === 0 ? M : M + W - lineW;
      hline(left, top + 20, lineW, C.ink, 0.75);
      write(["bold", 8.5], role, left, top + 25, LINE);
      write(TYPE.footer, "Signature / date", left, top + 25.5, { width: lineW, align: "right", ...LINE });
    });
  };

  const cancelledStamp = () => {
    const [cx, cy] = [doc.page.width / 2, doc.page.height / 2];
    doc.save().rotate(-30, { origin: [cx, cy] });
    doc.fillOpacity(0.18).strokeOpacity(0.35);
    const width = use(["bold", 78, C.stamp]).widthOfString("CANCELLED");
    doc.roundedRect(cx - width / 2 - 22, cy - 52, width + 44, 104, 10).lineWidth(6);
    doc.stroke(C.stamp);
    write(["bold", 78, C.stamp], "CANCELLED", cx - width / 2, cy - 30, LINE);
    doc.restore();
  };

  const footers = () => {
    const range = doc.bufferedPageRange();
    const venue = [input.organizationName, beoNo, `Revision ${input.revisionNumber}`].filter(Boolean).join(" · ");
    const generated = `Generated ${formatTimestamp(input.generatedAt, input.timeZone)}`;
    for (let i = 0; i < range.count; i++) {
      doc.switchToPage(range.start + i);
      const reserved = doc.page.margins.bottom;
      doc.page.margins.bottom = 0; // footer text sits in the margin; don't let pdfkit add a page for it
      if (beo.status === "cancelled") cancelledStamp();
      const y = doc.page.height - 36;
      hline(M, y - 7, W, C.rule, 0.5);
      oneLine(TYPE.footer, t(venue), M, y, { width: W * 0.55 });
      const page = `Page ${i + 1} of ${range.count}`;
      const pageW = use(["bold", 8.5]).widthOfString(page);
      doc.text(page, M + W - pageW, y - 0.5, LINE);
      write(TYPE.footer, generated, M, y, { width: W - pageW - 14, align: "right", ...LINE });
      doc.page.margins.bottom = reserved;
    }
  };

  mainHeader();
  doc.on("pageAdded", continuationHeader);
  details();
  counts();
  changeBox();
  menu();
  notes();
  signatures();
  footers();
}
