/** Small value coercions shared by the row mappers: they never throw on odd input. */
import type { JsonObject } from "../openai/types";

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
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
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

/** The keys of `source` not listed in `known`, or null when there are none. */
export function unknownFields(source: JsonObject, known: ReadonlySet<string>): JsonObject | null {
  const extra: JsonObject = {};
  for (const [key, value] of Object.entries(source)) if (!known.has(key)) extra[key] = value;
  return Object.keys(extra).length > 0 ? extra : null;
}

/** Drops keys whose value is undefined, so rows serialize compactly. */
export function compact<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (value !== undefined) out[key] = value;
  return out as T;
}
