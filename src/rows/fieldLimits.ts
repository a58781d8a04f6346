/**
 * Log Analytics limits on what one row may carry: a field value is cut at 64 KB, and one
 * Logs Ingestion request may not exceed 1 MB. We truncate visibly ourselves rather than let
 * the service cut silently, and guarantee that no single row can break the request limit.
 *
 * A dynamic (object/array) value keeps its structure: its longest string leaves are cut first,
 * all to one common length (so short fields such as `finish_reason`, ids, token counts and tool
 * calls stay whole and queryable), each ending in a marker that carries the string's original
 * UTF-8 length. Only when even the structure with every string cut is too big does the value
 * become a {@link TruncatedDynamic} preview.
 */
import { isRawJsonNumber, stringifyExact } from "../json/exactJson";
import { setOwnField } from "../json/ownFields";

/** Largest UTF-8 size of one field value that Log Analytics keeps whole. */
export const MAX_FIELD_BYTES = 64 * 1024;
/** Largest serialized row we emit; leaves room under the 1,000,000-byte request limit. */
export const MAX_ROW_BYTES = 900_000;
/**
 * Most arrays and objects a dynamic value nests, the value itself and a preview counted. A value
 * that `JSON.stringify` cannot follow (it throws `RangeError` a few thousand levels down) or that is
 * over the field limit keeps this many levels; each container below becomes a {@link TruncatedDynamic}
 * preview of its JSON text. Our choice: no OpenAI record comes near it, and it is the default
 * `MaxDepth` of .NET's System.Text.Json (the Logs Ingestion API's own depth limit is not documented).
 */
export const MAX_DYNAMIC_DEPTH = 64;
/** How every cut string ends: the marker with the string's original UTF-8 length. */
export const TRUNCATED_STRING = /…\[truncated by openai-sentinel-connector from (\d+) bytes\]$/;

/** The marker appended to a string of `originalBytes` UTF-8 bytes that was cut. */
export function truncationMarker(originalBytes: number): string {
  return `…[truncated by openai-sentinel-connector from ${originalBytes} bytes]`;
}

/** UTF-8 byte length of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function cutToBytes(text: string, budget: number): string {
  let cut = Buffer.from(text, "utf8").subarray(0, Math.max(0, budget)).toString("utf8");
  // A cut inside a multi-byte character decodes to U+FFFD; drop it.
  while (cut.endsWith("\uFFFD") && !text.startsWith(cut)) cut = cut.slice(0, -1);
  // Never leave half a surrogate pair.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/** A string's uncut text and original length: a string cut before is cut again from what it kept. */
function uncut(text: string): { body: string; bytes: number } {
  const marker = TRUNCATED_STRING.exec(text);
  return marker ? { body: text.slice(0, -marker[0].length), bytes: Number(marker[1]) } : { body: text, bytes: utf8Bytes(text) };
}

/** Cuts a string to at most `maxBytes` of UTF-8 (marker included) without splitting a character. */
export function truncateString(text: string, maxBytes: number = MAX_FIELD_BYTES): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const { body, bytes } = uncut(text);
  const marker = truncationMarker(bytes);
  return cutToBytes(body, maxBytes - utf8Bytes(marker)) + marker;
}

/** Size of a string as a JSON token (quotes and escapes included), UTF-8 bytes. */
function jsonBytes(text: string): number {
  return utf8Bytes(JSON.stringify(text));
}

/** Cuts `text` so that its JSON token is at most `maxJsonBytes`; undefined when not even the marker fits. */
function truncateJsonString(text: string, maxJsonBytes: number): string | undefined {
  const { body, bytes } = uncut(text);
  const marker = truncationMarker(bytes);
  let budget = maxJsonBytes - jsonBytes(marker);
  for (;;) {
    if (budget < 0) return undefined;
    const cut = cutToBytes(body, budget) + marker;
    const size = jsonBytes(cut);
    if (size <= maxJsonBytes) return cut;
    budget -= size - maxJsonBytes; // escapes made it longer than its raw bytes
  }
}

/** What a dynamic value too large to keep even with its strings cut becomes: a visible marker with a JSON preview. */
export interface TruncatedDynamic {
  readonly _truncated: true;
  readonly _originalBytes: number;
  readonly _preview: string;
}

function stringLeaves(value: unknown, out: string[]): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value !== null && typeof value === "object" && !isRawJsonNumber(value)) for (const v of Object.values(value)) stringLeaves(v, out);
  return out;
}

function mapStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map));
  if (value !== null && typeof value === "object" && !isRawJsonNumber(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwnField(out, k, mapStrings(v, map));
    return out;
  }
  return value;
}

/**
 * The largest per-string JSON size `cap` such that cutting every string leaf longer than it to it
 * brings `total` down to `maxBytes`, or undefined when no cap can.
 */
function commonCap(sizes: readonly number[], total: number, maxBytes: number, minCap: number): number | undefined {
  const saved = (cap: number) => sizes.reduce((n, s) => n + (s > cap ? s - cap : 0), 0);
  const needed = total - maxBytes;
  if (saved(minCap) < needed) return undefined;
  let lo = minCap, hi = Math.max(minCap, ...sizes);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (saved(mid) >= needed) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Keeps a dynamic (object/array) value whole when its JSON fits `maxBytes`; otherwise cuts its
 * longest string leaves to a common length (marker included) so that it fits, and only when that
 * cannot make it fit replaces it by a {@link TruncatedDynamic} whose serialized size fits.
 */
export function limitDynamic(whole: unknown, maxBytes: number = MAX_FIELD_BYTES): unknown {
  if (whole === null || typeof whole !== "object" || isRawJsonNumber(whole)) return whole;
  let json: string;
  try {
    json = JSON.stringify(whole);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return limitDynamic(capDepth(whole, MAX_DYNAMIC_DEPTH - 1, maxBytes), maxBytes);
  }
  if (utf8Bytes(json) <= maxBytes) return whole;
  // Cutting walks the value recursively: bound its depth first.
  const value = capDepth(whole, MAX_DYNAMIC_DEPTH - 1, maxBytes);
  const bytes = utf8Bytes(value === whole ? json : JSON.stringify(value));
  if (bytes <= maxBytes) return value;
  const leaves = stringLeaves(value, []);
  const sizes = leaves.map(jsonBytes);
  const minCap = jsonBytes(truncationMarker(bytes)) + 16;
  for (let target = maxBytes; target > maxBytes / 2; target = Math.floor(target * 0.95)) {
    const cap = commonCap(sizes, bytes, target, minCap);
    if (cap === undefined) break;
    const cut = mapStrings(value, (s) => (jsonBytes(s) > cap ? truncateJsonString(s, cap) ?? s : s));
    // Cutting a string can only shrink it; rounding aside, this fits at the first try.
    if (utf8Bytes(JSON.stringify(cut)) <= maxBytes) return cut;
  }
  // The preview is a string: the writer restores digits only in JSON numbers, so write them here.
  return previewOf(stringifyExact(value), bytes, maxBytes);
}

/**
 * `value` with every array or object `room` levels below it replaced by its preview (`room` 0: the
 * value itself). The same reference when nothing is that deep. Recursion is bounded by `room`.
 */
function capDepth(value: unknown, room: number, maxBytes: number): unknown {
  if (value === null || typeof value !== "object" || isRawJsonNumber(value)) return value;
  if (room === 0) {
    const json = stringifyExact(value);
    return previewOf(json, utf8Bytes(json), maxBytes);
  }
  let changed = false;
  const cap = (v: unknown) => {
    const capped = capDepth(v, room - 1, maxBytes);
    changed ||= capped !== v;
    return capped;
  };
  if (Array.isArray(value)) {
    const out = value.map(cap);
    return changed ? out : value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) setOwnField(out, k, cap(v));
  return changed ? out : value;
}

function previewOf(json: string, bytes: number, maxBytes: number): TruncatedDynamic {
  // JSON-escaping the preview can grow it, so leave generous headroom and shrink until it fits.
  let budget = Math.floor((maxBytes - 100) / 2);
  for (;;) {
    const marked: TruncatedDynamic = { _truncated: true, _originalBytes: bytes, _preview: truncateString(json, budget) };
    if (utf8Bytes(JSON.stringify(marked)) <= maxBytes || budget <= 200) return marked;
    budget = Math.floor(budget * 0.8);
  }
}

/** Applies the field limit to every string and dynamic value of a row. */
export function limitFields<T extends Record<string, unknown>>(row: T, maxBytes: number = MAX_FIELD_BYTES): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    setOwnField(out, key, typeof value === "string" ? truncateString(value, maxBytes) : limitDynamic(value, maxBytes));
  }
  return out as T;
}

/**
 * Applies the field limit, then, while the row is still over `maxRowBytes`, halves the limit of
 * its largest field. The result always serializes to at most `maxRowBytes`.
 */
export function fitRow<T extends Record<string, unknown>>(row: T, maxRowBytes: number = MAX_ROW_BYTES): T {
  let fitted = limitFields(row);
  while (utf8Bytes(JSON.stringify(fitted)) > maxRowBytes) {
    const [largestKey, largestSize] = Object.entries(fitted)
      .map(([k, v]): [string, number] => [k, utf8Bytes(JSON.stringify(v) ?? "")])
      .reduce((a, b) => (b[1] > a[1] ? b : a));
    const value = fitted[largestKey];
    const smaller = typeof value === "string" ? truncateString(value, Math.floor(largestSize / 2)) : limitDynamic(value, Math.floor(largestSize / 2));
    fitted = { ...fitted, [largestKey]: smaller };
  }
  return fitted;
}
