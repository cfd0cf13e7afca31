import type { MenuItem } from "@maestro/shared/maestro.schema";
import { formatFieldValue, formatValue } from "../../../lib/format";

const isMenuList = (v: unknown): v is MenuItem[] =>
  Array.isArray(v) && v.every((i) => i && typeof i === "object" && "name" in i);

function describe(item: MenuItem): string {
  return formatValue([item]);
}

// Menu lists are diffed item by item (added, removed, changed) so the kitchen
// sees "+ Vegan tasting plate" instead of two long lists.
function MenuDiff({ before, after }: { before: MenuItem[]; after: MenuItem[] }) {
  const old = new Map(before.map((i) => [i.name, i]));
  const next = new Map(after.map((i) => [i.name, i]));
  const lines: { kind: "added" | "removed" | "changed"; text: string }[] = [];
  for (const item of after) {
    const prev = old.get(item.name);
    if (!prev) lines.push({ kind: "added", text: describe(item) });
    else if (JSON.stringify(prev) !== JSON.stringify(item))
      lines.push({
        kind: "changed",
        text: `${describe(prev)} → ${describe(item).replace(`${item.name}`, "").trim() || item.name}`,
      });
  }
  for (const item of before) if (!next.has(item.name)) lines.push({ kind: "removed", text: describe(item) });
  if (lines.length === 0) lines.push({ kind: "changed", text: "Order changed" });
  return (
    <ul className="menu-diff">
      {lines.map((l, i) => (
        <li key={i} className={`menu-diff-${l.kind}`}>
          <span className="sr-only">{l.kind}: </span>
          <span aria-hidden="true">{l.kind === "added" ? "+ " : l.kind === "removed" ? "− " : "~ "}</span>
          {l.text}
        </li>
      ))}
    </ul>
  );
}

export function ChangeValues({ field, from, to }: { field: string; from: unknown; to: unknown }) {
  if (isMenuList(from ?? []) && isMenuList(to ?? []) && (Array.isArray(from) || Array.isArray(to))) {
    return <MenuDiff before={(from as MenuItem[] | null) ?? []} after={(to as MenuItem[] | null) ?? []} />;
  }
  return (
    <span className="change-values">
      <del className="change-old">{formatFieldValue(field, from)}</del>
      <span aria-hidden="true"> → </span>
      <span className="sr-only"> changed to </span>
      <ins className="change-new">{formatFieldValue(field, to)}</ins>
    </span>
  );
}
