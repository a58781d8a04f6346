/**
 * Date arithmetic for status and health that cannot throw: values derived from upstream data
 * (a completion's `created`, an event's `effective_at`) may be anything, and a RangeError from
 * `toISOString()` in an orchestrator fails the instance. Pure.
 */

/** Largest magnitude of a JavaScript Date, milliseconds from the epoch (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

/** ISO-8601 of a time in milliseconds since the epoch; null when it is not a finite number a Date can hold. */
export function isoFromMs(ms: number | null | undefined): string | null {
  return typeof ms === "number" && Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : null;
}

/** ISO-8601 of a Unix time in seconds; null when it is not a finite number a Date can hold. */
export function isoFromSeconds(seconds: number | null | undefined): string | null {
  return typeof seconds === "number" ? isoFromMs(seconds * 1000) : null;
}

/** Whole seconds from Unix time `newest` (seconds, a fraction allowed) to `nowMs`, never negative; null when `newest` is null or not a finite number. */
export function lagSeconds(nowMs: number, newest: number | null | undefined): number | null {
  return typeof newest === "number" && Number.isFinite(newest) ? Math.max(0, Math.floor(nowMs / 1000 - newest)) : null;
}
