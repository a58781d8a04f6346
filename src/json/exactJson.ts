/**
 * JSON with exact integers. `JSON.parse` rounds integers beyond 2^53 (OpenAI's seeds are 64-bit:
 * the stored-completion example in the API reference has `"seed": 4944116822809979520`), and Node
 * 20 has no `JSON.rawJSON` to write such digits back. So:
 * - {@link parseJsonExact} keeps every integer literal that a double cannot hold exactly as a
 *   {@link RawJsonNumber} (its digits), anywhere in the document; everything else is what
 *   `JSON.parse` gives. Documents without such a literal take the native parser (the rare exact
 *   path uses lossless-json, a maintained parser that hands out each number's source text).
 * - A {@link RawJsonNumber} serializes, through `JSON.stringify`, to a marker string carrying a
 *   per-process nonce; {@link restoreRawNumbers} turns every marker back into the bare digits.
 *   The Logs Ingestion writer applies it to each request body (src/sentinel/writer.ts), so the
 *   JSON sent carries the exact digits; {@link stringifyExact} does both steps for other uses.
 */
import { randomBytes } from "node:crypto";
import { parse as parseLossless } from "lossless-json";

const NONCE = randomBytes(12).toString("hex");
const PREFIX = `rawjson-${NONCE}:`;
// Only as a whole JSON string token right after `:`, `,` or `[` (JSON.stringify writes no spaces):
// a string that merely contains the text is escaped differently and never matches.
const MARKER = new RegExp(`(?<=[:,\\[])"${PREFIX}(-?\\d+)"`, "g");
// Could the text hold an integer literal of 16+ digits? (False positives only cost the exact parser.)
const MAYBE_UNSAFE = /(?:^|[:,[])\s*-?\d{16}/;

/** An integer whose exact decimal digits a double cannot hold; JSON output carries the digits (after {@link restoreRawNumbers}). */
export class RawJsonNumber {
  /** @param text The integer's decimal digits, optionally with a leading minus. */
  constructor(readonly text: string) {
    if (!/^-?\d+$/.test(text)) throw new Error(`not an integer literal: ${text}`);
  }

  /** The nearest double. */
  valueOf(): number {
    return Number(this.text);
  }

  /** The marker string {@link restoreRawNumbers} replaces with the digits. */
  toJSON(): string {
    return `${PREFIX}${this.text}`;
  }
}

/** Type guard for {@link RawJsonNumber}. */
export function isRawJsonNumber(value: unknown): value is RawJsonNumber {
  return value instanceof RawJsonNumber;
}

function numberOf(text: string): number | RawJsonNumber {
  const n = Number(text);
  return /^-?\d+$/.test(text) && !Number.isSafeInteger(n) ? new RawJsonNumber(text) : n;
}

/**
 * Parses JSON like `JSON.parse` (a duplicate key keeps its last value), except that integer
 * literals beyond ±(2^53 − 1) become {@link RawJsonNumber}s. Throws `SyntaxError` on invalid JSON.
 */
export function parseJsonExact(text: string): unknown {
  if (!MAYBE_UNSAFE.test(text)) return JSON.parse(text);
  try {
    // A duplicate key keeps its last value, as in JSON.parse (lossless-json would throw).
    return parseLossless(text, null, { parseNumber: numberOf, onDuplicateKey: ({ newValue }) => newValue });
  } catch (error) {
    // Anything else lossless-json cannot read that JSON.parse can (e.g. nesting deeper than its
    // recursion allows): read it as JSON.parse does, integers then rounded as usual.
    const plain: unknown = JSON.parse(text);
    if (plain !== undefined) return plain;
    throw error;
  }
}

/** Replaces the markers {@link RawJsonNumber.toJSON} wrote in `json` by the bare digits. */
export function restoreRawNumbers(json: string): string {
  return json.includes(PREFIX) ? json.replace(MARKER, "$1") : json;
}

/**
 * `JSON.stringify` of a JSON value that writes {@link RawJsonNumber}s as their digits, at any depth:
 * `JSON.stringify` throws `RangeError` on values nested a few thousand levels deep (which
 * `JSON.parse` reads fine), so those are written without recursion.
 */
export function stringifyExact(value: unknown): string {
  try {
    return restoreRawNumbers(JSON.stringify(value));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return stringifyDeep(value);
  }
}

/** One JSON token of a scalar (what `JSON.stringify` writes, digits for a {@link RawJsonNumber}). */
function scalarJson(value: unknown): string {
  return isRawJsonNumber(value) ? value.text : (JSON.stringify(value) ?? "null");
}

/** JSON text of a value of any depth, with an explicit stack of the containers being written. */
function stringifyDeep(root: unknown): string {
  const out: string[] = [];
  const stack: { entries: [string | null, unknown][]; next: number; close: string }[] = [];
  const write = (value: unknown) => {
    if (value === null || typeof value !== "object" || isRawJsonNumber(value)) out.push(scalarJson(value));
    else if (Array.isArray(value)) { out.push("["); stack.push({ entries: value.map((v): [null, unknown] => [null, v]), next: 0, close: "]" }); }
    else { out.push("{"); stack.push({ entries: Object.entries(value).filter(([, v]) => v !== undefined), next: 0, close: "}" }); }
  };
  write(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.entries.length) { out.push(top.close); stack.pop(); continue; }
    const [key, value] = top.entries[top.next]!;
    if (top.next++ > 0) out.push(",");
    if (key !== null) out.push(JSON.stringify(key), ":");
    write(value);
  }
  return out.join("");
}
