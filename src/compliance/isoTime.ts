/**
 * ISO-8601 instants at the precision the Compliance API uses. Log-file `end_time` and the
 * listing's `last_end_time` carry microseconds (`2026-07-16T01:00:00.123456Z`, sometimes with a
 * `+00:00` offset) — finer than a JavaScript Date — and the cursor is compared against them, so
 * instants are handled as nanoseconds since the epoch (bigint) and written back with all the
 * digits they had. Pure; safe in orchestrators. Source: chatgpt-compliance-api.md §1.5 (Gram
 * fixtures show microsecond `end_time`; Gram sends `after` with nanoseconds).
 */

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

/** Nanoseconds since the Unix epoch of an ISO-8601 date-time with a zone; undefined when it is not one. */
export function isoToNanos(text: string): bigint | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const wholeMs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(wholeMs)) return undefined;
  return BigInt(wholeMs) * NS_PER_MS + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** True when `text` is an ISO-8601 date-time with a zone that {@link isoToNanos} accepts. */
export function isIsoInstant(text: unknown): text is string {
  return typeof text === "string" && isoToNanos(text) !== undefined;
}

function nanos(text: string): bigint {
  const n = isoToNanos(text);
  if (n === undefined) throw new RangeError(`not an ISO-8601 date-time with a zone: ${JSON.stringify(text)}`);
  return n;
}

/** Formats nanoseconds as UTC ISO-8601 with a `Z`: microseconds always, nanoseconds when non-zero. */
export function nanosToIso(value: bigint): string {
  const ms = value / NS_PER_MS - (value % NS_PER_MS < 0n ? 1n : 0n);
  const seconds = new Date(Number(ms)).toISOString().slice(0, 19);
  const fraction = ((value % NS_PER_S) + NS_PER_S) % NS_PER_S;
  const digits = fraction.toString().padStart(9, "0");
  return `${seconds}.${digits.endsWith("000") ? digits.slice(0, 6) : digits}Z`;
}

/** Negative, zero or positive as instant `a` is before, equal to or after `b`. Throws RangeError on a non-instant. */
export function compareIso(a: string, b: string): number {
  const d = nanos(a) - nanos(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** The later of two instants (the first on a tie, so an unchanged cursor keeps its exact text). */
export function laterIso(a: string, b: string): string {
  return compareIso(b, a) > 0 ? b : a;
}

/** `text` minus `seconds`, in UTC with microseconds. */
export function minusSeconds(text: string, seconds: number): string {
  return nanosToIso(nanos(text) - BigInt(Math.round(seconds)) * NS_PER_S);
}

/** Whole Unix seconds of an instant (rounded down). */
export function isoToUnixSeconds(text: string): number {
  const n = nanos(text);
  return Number((n - (((n % NS_PER_S) + NS_PER_S) % NS_PER_S)) / NS_PER_S);
}

/** An instant from Unix seconds, UTC with microseconds. */
export function unixSecondsToIsoMicros(seconds: number): string {
  return nanosToIso(BigInt(Math.floor(seconds)) * NS_PER_S);
}
