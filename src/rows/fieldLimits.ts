/**
 * Log Analytics limits on what one row may carry: a field value is cut at 64 KB, and one
 * Logs Ingestion request may not exceed 1 MB. We truncate visibly ourselves rather than let
 * the service cut silently, and guarantee that no single row can break the request limit.
 */

/** Largest UTF-8 size of one field value that Log Analytics keeps whole. */
export const MAX_FIELD_BYTES = 64 * 1024;
/** Largest serialized row we emit; leaves room under the 1,000,000-byte request limit. */
export const MAX_ROW_BYTES = 900_000;
/** Text appended to every truncated string. */
export const TRUNCATION_MARKER = "…[truncated by openai-sentinel-connector]";

const MARKER_BYTES = Buffer.byteLength(TRUNCATION_MARKER, "utf8");

/** UTF-8 byte length of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Cuts a string to at most `maxBytes` of UTF-8 (marker included) without splitting a character. */
export function truncateString(text: string, maxBytes: number = MAX_FIELD_BYTES): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - MARKER_BYTES);
  let cut = Buffer.from(text, "utf8").subarray(0, budget).toString("utf8");
  // A cut inside a multi-byte character decodes to U+FFFD; drop it.
  while (cut.endsWith("\uFFFD") && !text.startsWith(cut)) cut = cut.slice(0, -1);
  // Never leave half a surrogate pair.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + TRUNCATION_MARKER;
}

/** What a dynamic value too large to keep becomes: a visible marker with a JSON preview. */
export interface TruncatedDynamic {
  readonly _truncated: true;
  readonly _originalBytes: number;
  readonly _preview: string;
}

/**
 * Keeps a dynamic (object/array) value whole when its JSON fits `maxBytes`; otherwise replaces
 * it by a {@link TruncatedDynamic} whose serialized size fits.
 */
export function limitDynamic(value: unknown, maxBytes: number = MAX_FIELD_BYTES): unknown {
  if (value === null || typeof value !== "object") return value;
  const json = JSON.stringify(value);
  const bytes = utf8Bytes(json);
  if (bytes <= maxBytes) return value;
  // JSON-escaping the preview can grow it, so leave generous headroom and shrink until it fits.
  let budget = Math.floor((maxBytes - 100) / 2);
  for (;;) {
    const marked: TruncatedDynamic = { _truncated: true, _originalBytes: bytes, _preview: truncateString(json, budget) };
    if (utf8Bytes(JSON.stringify(marked)) <= maxBytes || budget <= MARKER_BYTES) return marked;
    budget = Math.floor(budget * 0.8);
  }
}

/** Applies the field limit to every string and dynamic value of a row. */
export function limitFields<T extends Record<string, unknown>>(row: T, maxBytes: number = MAX_FIELD_BYTES): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = typeof value === "string" ? truncateString(value, maxBytes) : limitDynamic(value, maxBytes);
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
