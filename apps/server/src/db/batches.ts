import { CompiledQuery, PostgresAdapter, type Insertable } from "kysely";
import type { Database, Db } from "./schema.ts";

// Multi-row statements stay under both databases' bound-parameter limits:
// SQLite's SQLITE_MAX_VARIABLE_NUMBER (32,766) and PostgreSQL's 65,535 per statement.
export const MAX_BOUND_PARAMETERS = 30_000;

// Consecutive slices of `rows`, each binding at most MAX_BOUND_PARAMETERS values
// with `paramsPerRow` values a row.
export function* inChunks<T>(rows: readonly T[], paramsPerRow: number): Generator<T[]> {
  const size = Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / Math.max(1, paramsPerRow)));
  for (let first = 0; first < rows.length; first += size) yield rows.slice(first, first + size);
}

// Unique violations (a row another transaction inserted meanwhile), on either database.
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

// SQL text of multi-row inserts by shape (table, columns, row count), per dialect adapter.
const insertTexts = new WeakMap<object, Map<string, string>>();
const MAX_SHAPES = 256;

// Inserts many rows (all with the same keys, in the same order) in as few
// statements as the parameter limits allow. Building a query of thousands of
// values through Kysely's query tree costs more than running it (and makes
// garbage by the value): each shape is compiled by Kysely once, and later rows of
// that shape are bound to the same SQL text. On PostgreSQL the rows travel as one
// JSON parameter instead (json_populate_recordset over the table's row type):
// parsing and planning a statement of thousands of parameters cost the server
// more than the insert itself. Rows Kysely would compile differently (a key left
// undefined, different keys, values JSON does not carry as they are) simply go
// through Kysely.
export async function insertRows<T extends keyof Database & string>(
  db: Db,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const adapter = db.getExecutor().adapter;
  let texts = insertTexts.get(adapter);
  if (!texts) insertTexts.set(adapter, (texts = new Map()));
  const plainly = (chunk: readonly Insertable<Database[T]>[]) =>
    db
      .insertInto(table)
      .values(chunk as never)
      .execute();
  if (adapter instanceof PostgresAdapter) {
    const json = rowsAsJson(
      table,
      rows,
      columns,
      texts,
      () =>
        db
          .insertInto(table)
          .values(rows[0] as never)
          .compile().sql,
    );
    if (json) await db.executeQuery(CompiledQuery.raw(json.text, [json.rows]));
    else for (const chunk of inChunks(rows, columns.length)) await plainly(chunk);
    return;
  }
  for (const chunk of inChunks(rows, columns.length)) {
    const parameters: unknown[] = new Array(chunk.length * columns.length);
    let k = 0;
    let plain = true;
    for (const row of chunk) {
      const values = row as Record<string, unknown>;
      for (const column of columns) {
        const value = values[column];
        if (value === undefined) plain = false;
        parameters[k++] = value;
      }
    }
    if (!plain) {
      await plainly(chunk);
      continue;
    }
    const key = `${table}(${columns.join(",")})x${chunk.length}`;
    let text = texts.get(key);
    if (text === undefined) {
      const compiled = db
        .insertInto(table)
        .values(chunk as never)
        .compile();
      // Kept only if Kysely binds exactly these values in this order (by row, then by column).
      const same =
        compiled.parameters.length === parameters.length &&
        compiled.parameters.every((value, i) => Object.is(value, parameters[i]));
      if (!same) {
        await db.executeQuery(compiled);
        continue;
      }
      text = compiled.sql;
      if (texts.size >= MAX_SHAPES) texts.delete(texts.keys().next().value!);
      texts.set(key, text);
    }
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}

// PostgreSQL: the statement reading `rows` from one JSON array parameter, and that
// array (keyed by the column names Kysely maps `columns` to), or undefined when a
// value would not arrive as Kysely sends it: undefined, not a string, finite number
// or null, or a string with a lone surrogate (JSON.stringify escapes those as
// \udXXX, which PostgreSQL refuses; any such escape sends the rows to Kysely).
function rowsAsJson(
  table: string,
  rows: readonly object[],
  columns: readonly string[],
  texts: Map<string, string>,
  compileOne: () => string,
): { text: string; rows: string } | undefined {
  const key = `json:${table}(${columns.join(",")})`;
  let text = texts.get(key);
  if (text === undefined) {
    // insert into "table" ("col", ...) values ($1, ...): the names as Kysely writes them.
    const match = /^insert into ((?:"[^"]+"\.)?"[^"]+") \(([^)]*)\) values/.exec(compileOne());
    if (!match || match[2]!.split(", ").length !== columns.length) return undefined;
    // In the array's order (a serial column numbers the rows as given).
    text = `insert into ${match[1]} (${match[2]}) select ${match[2]} from json_populate_recordset(null::${match[1]}, $1::json) with ordinality as r order by r.ordinality`;
    if (texts.size >= MAX_SHAPES) texts.delete(texts.keys().next().value!);
    texts.set(key, text);
  }
  const names = /\(([^)]*)\) select/
    .exec(text)![1]!
    .split(", ")
    .map((n) => n.slice(1, -1));
  // Objects with the database's column names, stringified at once (faster than piecing the text together).
  const objects: Record<string, unknown>[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const values = rows[i] as Record<string, unknown>;
    const object: Record<string, unknown> = {};
    for (let j = 0; j < columns.length; j++) {
      const value = values[columns[j]!];
      if (!(value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value))))
        return undefined;
      object[names[j]!] = value;
    }
    objects[i] = object;
  }
  const json = JSON.stringify(objects);
  return json.includes("\\ud") && /\\ud[89a-f]/i.test(json) ? undefined : { text, rows: json };
}
