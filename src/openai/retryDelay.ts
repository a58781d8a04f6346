/** Reads how long OpenAI asks us to wait, from whichever header it sent. Pure. */

/** Header bag with lower-cased names. */
export type HeaderBag = Readonly<Record<string, string | undefined>>;

const GO_DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const GO_UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** Parses a Go-style duration (`1s`, `6m0s`, `20ms`, `1h2m3.5s`) to milliseconds. */
export function parseGoDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(?:\.\d+)?(ms|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(GO_DURATION_PART)) total += Number(match[1]) * GO_UNIT_MS[match[2]!]!;
  return Math.round(total);
}

/**
 * The delay in milliseconds the server asked for, or undefined when it named none. Order:
 * `retry-after-ms`, `retry-after` (seconds or HTTP date), `x-ratelimit-reset-requests`.
 */
export function retryDelayFromHeaders(headers: HeaderBag, nowMs: number): number | undefined {
  const ms = Number(headers["retry-after-ms"]);
  if (headers["retry-after-ms"] !== undefined && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);

  const retryAfter = headers["retry-after"]?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }

  const reset = headers["x-ratelimit-reset-requests"];
  return reset === undefined ? undefined : parseGoDurationMs(reset);
}

/** In-call retry delay after failed attempt `attempt` (1-based): ~250 ms doubling to 2 s, minus up to 25 % jitter (`random` gives [0, 1)). */
export function backoffDelayMs(attempt: number, random: () => number): number {
  return Math.round(Math.min(250 * 2 ** (attempt - 1), 2_000) * (1 - random() * 0.25));
}
