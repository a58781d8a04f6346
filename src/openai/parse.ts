/**
 * Parses list responses strictly but tolerantly: unknown fields and event types pass through,
 * while a body that is not a list is an error (never a silent empty page).
 */
import { SEED_TEXT_FIELD, type JsonObject, type ListPage } from "./types";

/** A response body that is not what the endpoint documents. */
export class MalformedResponseError extends Error {
  override readonly name = "MalformedResponseError";
}

// A `"seed": <digits>` member whose value is beyond 2^53. Inside a JSON string a quote is always
// escaped, so an unescaped `"seed"` followed by a colon can only be a member name.
const UNSAFE_SEED = /(?<!\\)"seed"\s*:\s*(-?\d{16,})/g;

/** JSON.parse that keeps the exact digits of large `seed` values in {@link SEED_TEXT_FIELD}. */
export function parseJsonPreservingSeeds(text: string): unknown {
  const marked = text.replace(UNSAFE_SEED, (_match, digits: string) =>
    Number.isSafeInteger(Number(digits)) ? `"seed":${digits}` : `"seed":${digits},"${SEED_TEXT_FIELD}":"${digits}"`,
  );
  return JSON.parse(marked);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function optionalId(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw new MalformedResponseError(`${field} is not a string`);
  return value;
}

/**
 * Parses a list envelope `{object:"list", data:[…], first_id, last_id, has_more}`. Every item must
 * be an object with a string `id`; `requiredItemFields` adds further required fields.
 */
export function parseListPage<T extends JsonObject>(text: string, requiredItemFields: readonly string[] = []): ListPage<T> {
  let body: unknown;
  try {
    body = parseJsonPreservingSeeds(text);
  } catch {
    throw new MalformedResponseError(`response is not JSON: ${excerpt(text)}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new MalformedResponseError(`response is not a list object: ${excerpt(text)}`);
  }
  const envelope = body as JsonObject;
  if (!Array.isArray(envelope.data)) throw new MalformedResponseError(`response has no data array: ${excerpt(text)}`);
  if (typeof envelope.has_more !== "boolean") throw new MalformedResponseError(`response has no boolean has_more: ${excerpt(text)}`);
  envelope.data.forEach((item: unknown, index) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw new MalformedResponseError(`data[${index}] is not an object`);
    const record = item as JsonObject;
    if (typeof record.id !== "string" || record.id === "") throw new MalformedResponseError(`data[${index}] has no string id`);
    for (const field of requiredItemFields) {
      if (record[field] === undefined || record[field] === null) throw new MalformedResponseError(`data[${index}] (${record.id}) has no ${field}`);
    }
  });
  return {
    data: envelope.data as T[],
    hasMore: envelope.has_more,
    firstId: optionalId(envelope.first_id, "first_id"),
    lastId: optionalId(envelope.last_id, "last_id"),
  };
}

/** Parses a single object response that must carry a string `id`. */
export function parseObject<T extends JsonObject>(text: string): T {
  let body: unknown;
  try {
    body = parseJsonPreservingSeeds(text);
  } catch {
    throw new MalformedResponseError(`response is not JSON: ${excerpt(text)}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body) || typeof (body as JsonObject).id !== "string") {
    throw new MalformedResponseError(`response is not an object with an id: ${excerpt(text)}`);
  }
  return body as T;
}
