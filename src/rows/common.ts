/**
 * Small value coercions shared by the row mappers (they never throw on odd input), and the rule
 * that keeps every source field: a top-level field is either held *exactly* by its named
 * column(s) — the column's value gives back the source value (an empty column stands for null) —
 * or copied, as it came, into `AdditionalFields`. Columns may still carry a converted value of a
 * field they cannot hold exactly (e.g. `Model` = "5" for `model: 5`), for the queries that read them.
 */
import { isRawJsonNumber, type RawJsonNumber } from "../json/exactJson";
import { setOwnField } from "../json/ownFields";
import type { JsonObject } from "../openai/types";

/** `table[key]` when `key` is its own property (never an inherited `toString`, `constructor`, …). */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Whether a field's named column(s) hold `value` exactly. */
export type Holds = (value: unknown) => boolean;

/** A string column holds strings. */
export const holdsString: Holds = (v) => typeof v === "string";
/** A real column holds finite numbers. */
export const holdsReal: Holds = (v) => typeof v === "number" && Number.isFinite(v);
/** A dynamic column holds objects and arrays (not JSON scalars, which it might reinterpret). */
export const holdsDynamic: Holds = (v) => v !== null && typeof v === "object" && !isRawJsonNumber(v);
/** A datetime column holds Unix seconds that its ISO-8601 value (ms precision, years 0–9999) gives back. */
export const holdsUnixTime: Holds = (v) => typeof v === "number" && unixSecondsToIso(v) !== undefined && Date.parse(unixSecondsToIso(v)!) / 1000 === v;

/**
 * `AdditionalFields`: every field of `source` that `held` does not name, or whose value its
 * column(s) do not hold exactly (null counts as held: the column is empty). Null when none.
 */
export function additionalFields(source: JsonObject, held: Readonly<Record<string, Holds>>): JsonObject | null {
  const extra: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    const holds = own(held, key);
    // defineProperty: a field named "__proto__" is a field like any other.
    if (holds === undefined || (value !== null && !holds(value))) Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(extra).length > 0 ? extra : null;
}

/** A `long` column's value: a safe integer, or an exact integer within signed 64 bits; else undefined. */
export function asExactLong(value: unknown): number | RawJsonNumber | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  if (isRawJsonNumber(value)) return BigInt(value.text) >= -(2n ** 63n) && BigInt(value.text) < 2n ** 63n ? value : undefined;
  return undefined;
}

/** The value when it is a non-array object, else undefined. */
export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** A string for strings, a decimal string for finite numbers, else undefined. */
export function asString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A finite number (numeric strings accepted), else undefined. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A safe integer (numeric strings accepted), else undefined. */
export function asLong(value: unknown): number | undefined {
  const n = asNumber(value);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** Unix seconds to ISO-8601 UTC, or undefined when the value is not a usable timestamp. */
export function unixSecondsToIso(value: unknown): string | undefined {
  const seconds = asNumber(value);
  if (seconds === undefined) return undefined;
  const date = new Date(seconds * 1000);
  // Years outside 0–9999 have no ISO-8601 form Log Analytics accepts (toISOString writes "+010000-…").
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999 ? undefined : date.toISOString();
}

/** Follows a path of keys through nested objects. */
export function pick(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    const obj = asObject(current);
    if (obj === undefined) return undefined;
    current = obj[key];
  }
  return current;
}

/** Drops keys whose value is undefined, so rows serialize compactly. */
export function compact<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (value !== undefined) setOwnField(out, key, value);
  return out as T;
}
