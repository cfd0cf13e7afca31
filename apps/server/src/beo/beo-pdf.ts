import { existsSync } from "node:fs";
import PDFDocument from "pdfkit";
import type { BEODocument } from "@maestro/shared/maestro.schema";
import {
  DIETARY_LEGEND,
  capitalize,
  dietaryMark,
  fieldLabel,
  formatCount,
  formatEventDate,
  formatTimeRange,
  formatTimestamp,
  formatValue,
  isWinAnsi,
  statusLabel,
  toWinAnsi,
} from "./beo-pdf-format.ts";

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
type Fonts = { regular: string; bold: string; clean: (text: string) => string };

const DEJAVU = "/usr/share/fonts/truetype/dejavu";
const M = 40; // left/right margin
const TOP = 80; // content top on continuation pages, below the header band
const BOTTOM = 52; // reserved for the footer
const SIGNATURES_H = 40; // chef / banquet manager lines above the footer on the last page
const COLOR = {
  ink: "#111827", muted: "#6b7280", band: "#1f2a37", bandText: "#cbd5e1", rule: "#d1d5db",
  zebra: "#f3f4f6", tableHead: "#e5e7eb", diet: "#047857", changeBg: "#fff7d6", changeBar: "#d97706",
  changeTitle: "#92400e", stamp: "#b91c1c",
};
const STATUS_COLOR: Record<string, string> = {
  draft: "#6b7280", pending_approval: "#d97706", approved: "#15803d", cancelled: "#b91c1c",
};

// Built-in Helvetica only speaks WinAnsi; anything else needs an embedded TTF, if the box has one.
function chooseFonts(doc: Doc, input: BeoPdfInput): Fonts {
  const helvetica: Fonts = { regular: "Helvetica", bold: "Helvetica-Bold", clean: toWinAnsi };
  const { generatedAt: _ignored, ...texts } = input;
  if (isWinAnsi(JSON.stringify(texts) ?? "")) return helvetica;
  const regular = `${DEJAVU}/DejaVuSans.ttf`;
  const bold = `${DEJAVU}/DejaVuSans-Bold.ttf`;
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
      const { beo } = input;
      const title = `BEO #${beo.beoNumber} — ${beo.header.eventName}`;
      const doc = new PDFDocument({
        size: "A4",
        margins: { top: TOP, bottom: BOTTOM, left: M, right: M },
        bufferPages: true,
        info: {
          Title: title, Author: input.organizationName, Subject: "Banquet Event Order", Creator: "Maestro Banquets",
          CreationDate: input.generatedAt, ModDate: input.generatedAt,
        },
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
  const ts = (value: string | Date) => formatTimestamp(value, input.timeZone);
  const status = statusLabel(beo.status);
  const statusColor = STATUS_COLOR[beo.status] ?? COLOR.muted;
  let style = { font: fonts.regular, size: 10, color: COLOR.ink };

  const use = (kind: "regular" | "bold", size: number, color: string = COLOR.ink): Doc => {
    style = { font: kind === "bold" ? fonts.bold : fonts.regular, size, color };
    return doc.font(style.font).fontSize(size).fillColor(color);
  };
  const oneLine = (text: string, x: number, y: number, width: number, align: "left" | "right" | "center" = "left") =>
    doc.text(text, x, y, { width, height: doc.currentLineHeight(true), ellipsis: true, align, lineBreak: true });
  const bottomY = () => doc.page.height - BOTTOM;
  const ensureSpace = (height: number): boolean => {
    if (doc.y + height <= bottomY()) return false;
    doc.addPage();
    return true;
  };
  const rule = (y: number, color = COLOR.rule, width = 0.75) =>
    doc.moveTo(M, y).lineTo(M + W, y).lineWidth(width).strokeColor(color).stroke();

  const pill = (rightX: number, y: number): number => {
    use("bold", 9);
    const width = doc.widthOfString(status) + 18;
    doc.roundedRect(rightX - width, y, width, 17, 8.5).fill(statusColor);
    use("bold", 9, "#ffffff").text(status, rightX - width + 9, y + 4.5, { lineBreak: false });
    return rightX - width;
  };

  const mainHeader = () => {
    const y = 28;
    doc.roundedRect(M, y, W, 70, 5).fill(COLOR.band);
    use("bold", 8.5, COLOR.bandText);
    oneLine(t(input.organizationName.toUpperCase()), M + 16, y + 14, W * 0.55);
    use("bold", 21, "#ffffff").text("BANQUET EVENT ORDER", M + 16, y + 30, { lineBreak: false });
    use("bold", 24, "#ffffff").text(`BEO #${beo.beoNumber}`, M, y + 10, { width: W - 16, align: "right", lineBreak: false });
    const pillLeft = pill(M + W - 16, y + 42);
    use("bold", 10, COLOR.bandText).text(`REV ${input.revisionNumber}`, M, y + 45.5, { width: pillLeft - M - 10, align: "right", lineBreak: false });
  };

  // Drawn by pdfkit's pageAdded event, including breaks inside long text flows.
  const continuationHeader = () => {
    const y = 28;
    const saved = style;
    doc.roundedRect(M, y, W, 34, 5).fill(COLOR.band);
    const pillLeft = pill(M + W - 12, y + 8.5);
    use("bold", 8, COLOR.bandText).text(`REV ${input.revisionNumber}`, M, y + 13, { width: pillLeft - M - 10, align: "right", lineBreak: false });
    use("bold", 11, "#ffffff");
    oneLine(t(`BEO #${beo.beoNumber} · ${beo.header.eventName}`), M + 14, y + 11, pillLeft - M - 80);
    doc.font(saved.font).fontSize(saved.size).fillColor(saved.color);
    style = saved;
    doc.x = M;
    doc.y = TOP;
  };

  const sectionHeading = (label: string, note?: string, x = M, width = W) => {
    ensureSpace(64);
    const y = doc.y + 12;
    use("bold", 10.5).text(label.toUpperCase(), x, y, { characterSpacing: 1, lineBreak: false });
    if (note) use("regular", 7.5, COLOR.muted).text(note, x, y + 2.5, { width, align: "right", lineBreak: false });
    doc.moveTo(x, y + 15).lineTo(x + width, y + 15).lineWidth(1.25).strokeColor(COLOR.band).stroke();
    doc.x = x;
    doc.y = y + 21;
  };

  const TEXT = { lineGap: 1.5, paragraphGap: 4 };
  const paragraph = (text: string, x = M, width = W) => {
    if (!text.trim()) use("regular", 10, COLOR.muted).text("None.", x, doc.y, { width });
    else use("regular", 10.5).text(t(text.trim()), x, doc.y, { width, ...TEXT });
  };

  const label = (text: string, x: number, y: number) =>
    use("bold", 7.5, COLOR.muted).text(text.toUpperCase(), x, y, { characterSpacing: 0.8, lineBreak: false });

  const details = () => {
    let top = 110;
    if (beo.status === "cancelled") {
      doc.rect(M, top, W, 24).fill(COLOR.stamp);
      use("bold", 11, "#ffffff").text("EVENT CANCELLED — DO NOT PREP, ORDER OR SET", M, top + 7, { width: W, align: "center", characterSpacing: 0.8 });
      top += 34;
    }
    use("bold", 18).text(t(beo.header.eventName), M, top, { width: W });
    const contract = input.contractStatus ? capitalize(input.contractStatus) : undefined;
    const approvedAt = input.approvedAt ? ts(input.approvedAt) : undefined;
    type Cell = [label: string, value: string | undefined, share: number, sub?: string];
    const rows: Cell[][] = [
      [["Date", formatEventDate(beo.event.date), 0.36], ["Time", formatTimeRange(beo.event.time, beo.event.endTime), 0.25], ["Room", beo.event.room, 0.39]],
      [["Client", beo.header.clientName, 0.36], ["Sales rep", beo.header.salesRepName, 0.25], ["Contract", contract, 0.14], ["Approved", input.approvedBy ?? approvedAt, 0.25, input.approvedBy ? approvedAt : undefined]],
    ];
    let y = doc.y + 6;
    for (const row of rows) {
      let x = M;
      let bottom = y;
      for (const [name, value, share, sub] of row) {
        label(name, x, y);
        use("bold", 11.5, value ? COLOR.ink : COLOR.muted).text(t(value || "—"), x, y + 10, { width: W * share - 12 });
        if (sub) use("regular", 8.5, COLOR.muted).text(t(sub), x, doc.y, { width: W * share - 12 });
        bottom = Math.max(bottom, doc.y);
        x += W * share;
      }
      y = bottom + 6;
    }
    doc.y = y;
  };

  const counts = () => {
    const gap = 10;
    const boxW = (W - 2 * gap) / 3;
    const y = doc.y + 2;
    const boxes: [string, number | undefined, boolean][] = [
      ["Expected", beo.event.expected, false], ["Guaranteed", beo.event.guaranteed, true], ["Set", beo.event.set, false],
    ];
    boxes.forEach(([name, value, strong], i) => {
      const x = M + i * (boxW + gap);
      if (strong) doc.roundedRect(x, y, boxW, 54, 5).fill(COLOR.band);
      else doc.roundedRect(x, y, boxW, 54, 5).lineWidth(1.25).strokeColor(COLOR.band).stroke();
      use("bold", 8.5, strong ? COLOR.bandText : COLOR.muted).text(name.toUpperCase(), x, y + 8, { width: boxW, align: "center", characterSpacing: 1.2 });
      const color = strong ? "#ffffff" : value === undefined ? COLOR.muted : COLOR.ink;
      use("bold", 28, color).text(formatCount(value), x, y + 20, { width: boxW, align: "center", lineBreak: false });
    });
    doc.x = M;
    doc.y = y + 54 + 4;
  };

  const changeBox = () => {
    if (changes.length === 0) return;
    const pad = 14;
    const cols = [W * 0.22 - pad, W * 0.2, W * 0.28, W * 0.3 - pad]; // field, was, now, changed by
    const sameYear = (at: string) => new Date(at).getUTCFullYear() === input.generatedAt.getUTCFullYear();
    const xs = cols.map((_, i) => M + pad + cols.slice(0, i).reduce((a, b) => a + b, 0));
    const band = (y: number, height: number) => {
      doc.rect(M, y, W, height).fill(COLOR.changeBg);
      doc.rect(M, y, 4, height).fill(COLOR.changeBar);
    };
    const title = (continued: boolean) => {
      const y = doc.y;
      band(y, 30);
      use("bold", 10.5, COLOR.changeTitle).text(`CHANGES SINCE LAST APPROVAL${continued ? " (CONTINUED)" : ""}`, M + pad, y + 7, { lineBreak: false, characterSpacing: 0.6 });
      use("regular", 8.5, COLOR.changeTitle).text(`${changes.length} change${changes.length === 1 ? "" : "s"}`, M, y + 8.5, { width: W - pad, align: "right", lineBreak: false });
      ["Field", "Was", "Now", "Changed by"].forEach((name, i) => {
        use("bold", 7, COLOR.changeTitle).text(name.toUpperCase(), xs[i] ?? M, y + 21, { lineBreak: false, characterSpacing: 0.8 });
      });
      doc.y = y + 30;
    };
    doc.y += 8;
    ensureSpace(70);
    title(false);
    changes.forEach((change, index) => {
      const cells = [fieldLabel(change.field), formatValue(change.field, change.old), formatValue(change.field, change.new), `${change.who} · ${formatTimestamp(change.at, input.timeZone, !sameYear(change.at))}`].map(t);
      const fonts: [ "bold" | "regular", number, string][] = [["bold", 9.5, COLOR.ink], ["regular", 9.5, COLOR.muted], ["bold", 9.5, COLOR.ink], ["regular", 8.5, COLOR.ink]];
      const heights = cells.map((cell, i) => use(fonts[i]?.[0] ?? "regular", fonts[i]?.[1] ?? 9).heightOfString(cell, { width: (cols[i] ?? 100) - 8 }));
      const height = Math.max(...heights) + 8;
      if (ensureSpace(height)) title(true);
      const y = doc.y;
      band(y, height);
      if (index > 0) doc.moveTo(M + pad, y).lineTo(M + W - pad, y).lineWidth(0.5).strokeColor("#efd48a").stroke();
      cells.forEach((cell, i) => {
        const [kind, size, color] = fonts[i] ?? ["regular", 9, COLOR.ink];
        use(kind, size, color).text(cell, xs[i] ?? M, y + 4.5 + (i === 3 ? 0.8 : 0), { width: (cols[i] ?? 100) - 8, strike: i === 1 && cell !== "—" });
      });
      doc.y = y + height;
    });
    band(doc.y, 5);
    doc.x = M;
    doc.y += 5;
  };

  const menu = () => {
    const items = beo.menu.items;
    const legend = DIETARY_LEGEND.map(([code, meaning]) => `[${code}] ${meaning}`).join("  ");
    sectionHeading("Menu", items.length ? legend : undefined);
    if (items.length === 0) return void use("regular", 10, COLOR.muted).text("No menu items.", M, doc.y, { width: W });
    const [qtyW, dietW] = [58, 150];
    const itemW = W - qtyW - dietW;
    const tableHead = (continued: boolean) => {
      const y = doc.y;
      doc.rect(M, y, W, 17).fill(COLOR.tableHead);
      use("bold", 7.5, COLOR.muted).text("QTY", M, y + 5.5, { width: qtyW - 14, align: "right", characterSpacing: 0.8, lineBreak: false });
      label(continued ? "Item (continued)" : "Item", M + qtyW, y + 5.5);
      label("Dietary", M + qtyW + itemW, y + 5.5);
      doc.y = y + 17;
    };
    ensureSpace(44);
    tableHead(false);
    items.forEach((item, index) => {
      const name = t(item.name);
      const marks = t((item.dietary ?? []).map(dietaryMark).join(" "));
      const nameH = use("regular", 10.5).heightOfString(name, { width: itemW - 10 });
      const height = Math.max(nameH, marks ? use("bold", 9.5).heightOfString(marks, { width: dietW - 6 }) : 0) + 7;
      if (ensureSpace(height)) tableHead(true);
      const y = doc.y;
      if (index % 2 === 1) doc.rect(M, y, W, height).fill(COLOR.zebra);
      use("bold", 11, item.quantity === undefined ? COLOR.muted : COLOR.ink).text(formatCount(item.quantity), M, y + 3, { width: qtyW - 14, align: "right", lineBreak: false });
      use("regular", 10.5).text(name, M + qtyW, y + 3.5, { width: itemW - 10 });
      if (marks) use("bold", 9.5, COLOR.diet).text(marks, M + qtyW + itemW, y + 4.5, { width: dietW - 6 });
      doc.y = y + height;
    });
    rule(doc.y, COLOR.rule);
  };

  const setupBlock = (x: number, width: number) => {
    ensureSpace(30);
    const top = doc.y;
    label("Layout", x, top);
    use("bold", 11, beo.setup.layout ? COLOR.ink : COLOR.muted).text(t(beo.setup.layout || "—"), x, top + 10, { width });
    ensureSpace(40);
    const requestsTop = doc.y + 7;
    label("Special requests", x, requestsTop);
    doc.y = requestsTop + 11;
    paragraph(beo.setup.specialRequests, x, width);
  };

  // Short notes sit side by side so a typical BEO stays on one sheet; long ones flow full width.
  const notes = () => {
    const [leftW, rightW] = [W * 0.6 - 12, W * 0.4 - 12];
    const rightX = M + W * 0.6 + 12;
    const instructions = beo.menu.specialInstructions.trim();
    const leftH = use("regular", 10.5).heightOfString(t(instructions || "None."), { width: leftW, ...TEXT });
    const rightH = 33 + use("bold", 11).heightOfString(t(beo.setup.layout || "—"), { width: rightW })
      + use("regular", 10.5).heightOfString(t(beo.setup.specialRequests.trim() || "None."), { width: rightW, ...TEXT });
    if (doc.y + 34 + Math.max(leftH, rightH) > bottomY() - SIGNATURES_H - 4) {
      sectionHeading("Special instructions");
      paragraph(instructions);
      sectionHeading("Setup");
      return setupBlock(M, W);
    }
    const top = doc.y;
    sectionHeading("Special instructions", undefined, M, leftW);
    paragraph(instructions, M, leftW);
    const leftEnd = doc.y;
    doc.y = top;
    sectionHeading("Setup", undefined, rightX, rightW);
    setupBlock(rightX, rightW);
    doc.x = M;
    doc.y = Math.max(leftEnd, doc.y);
  };

  const signatures = () => {
    const top = bottomY() - SIGNATURES_H;
    if (doc.y + 8 > top) doc.addPage();
    const lineW = 220;
    for (const [role, left] of [["Chef", M], ["Banquet manager", M + W - lineW]] as const) {
      doc.moveTo(left, top + 20).lineTo(left + lineW, top + 20).lineWidth(0.75).strokeColor(COLOR.ink).stroke();
      use("bold", 8.5).text(role, left, top + 25, { lineBreak: false });
      use("regular", 8, COLOR.muted).text("Signature / date", left, top + 25.5, { width: lineW, align: "right", lineBreak: false });
    }
  };

  const cancelledStamp = () => {
    const cx = doc.page.width / 2;
    const cy = doc.page.height / 2;
    doc.save().rotate(-30, { origin: [cx, cy] }).fillOpacity(0.18).strokeOpacity(0.35);
    use("bold", 78, COLOR.stamp);
    const width = doc.widthOfString("CANCELLED");
    doc.roundedRect(cx - width / 2 - 22, cy - 52, width + 44, 104, 10).lineWidth(6).strokeColor(COLOR.stamp).stroke();
    doc.fillColor(COLOR.stamp).text("CANCELLED", cx - width / 2, cy - 30, { lineBreak: false });
    doc.restore();
  };

  const footers = () => {
    const range = doc.bufferedPageRange();
    for (let i = 0; i < range.count; i++) {
      doc.switchToPage(range.start + i);
      const reserved = doc.page.margins.bottom;
      doc.page.margins.bottom = 0; // footer text sits in the margin; don't let pdfkit add a page for it
      if (beo.status === "cancelled") cancelledStamp();
      const y = doc.page.height - 36;
      rule(y - 7, COLOR.rule, 0.5);
      use("regular", 8, COLOR.muted);
      oneLine(t(`${input.organizationName} · BEO #${beo.beoNumber} · Revision ${input.revisionNumber}`), M, y, W * 0.55);
      const page = `Page ${i + 1} of ${range.count}`;
      const pageW = use("bold", 8.5).widthOfString(page);
      doc.text(page, M + W - pageW, y - 0.5, { lineBreak: false });
      use("regular", 8, COLOR.muted).text(`Generated ${ts(input.generatedAt)}`, M, y, { width: W - pageW - 14, align: "right", lineBreak: false });
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
