/**
 * Parses list responses strictly but tolerantly: unknown fields and event types pass through,
 * while a body that is not a list is an error (never a silent empty page).
 */
import { parseJsonExact } from "../json/exactJson";
import type { JsonObject, ListPage } from "./types";

/** A response body that is not what the endpoint documents. */
export class MalformedResponseError extends Error {
  override readonly name: string = "MalformedResponseError";
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
 *
 * A page that contradicts itself is a {@link MalformedResponseError} too (the client retries it,
 * then reports a retriable failure; the caller's cursor stays where it was), never the end:
 * - `has_more: true` with an empty `data`: no item to continue after. The official SDKs stop at an
 *   empty page, so a server cannot mean "continue" by it, and an empty page names no item that
 *   would let a cursor be checked.
 * - `first_id` / `last_id` that do not name the first / last item of `data` (the spec's
 *   ChatCompletionList: "the identifier of the first/last chat completion in the data array";
 *   the audit-log list's examples agree), or that are given for an empty `data`.
 * - The same `id` twice in one page: the page is not a consistent slice of the listing.
 * Request-relative contradictions (a cursor that does not move, items outside the requested
 * range) are checked by `checkPage` in paging.ts.
 */
export function parseListPage<T extends JsonObject & { id: string } = JsonObject & { id: string }>(text: string, requiredItemFields: readonly string[] = []): ListPage<T> {
  let body: unknown;
  try {
    body = parseJsonExact(text);
  } catch {
    throw new MalformedResponseError(`response is not JSON: ${excerpt(text)}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new MalformedResponseError(`response is not a list object: ${excerpt(text)}`);
  }
  const envelope = body as JsonObject;
  if (!Array.isArray(envelope.data)) throw new MalformedResponseError(`response has no data array: ${excerpt(text)}`);
  if (typeof envelope.has_more !== "boolean") throw new MalformedResponseError(`response has no boolean has_more: ${excerpt(text)}`);
  const ids = new Set<string>();
  envelope.data.forEach((item: unknown, index) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw new MalformedResponseError(`data[${index}] is not an object`);
    const record = item as JsonObject;
    if (typeof record.id !== "string" || record.id === "") throw new MalformedResponseError(`data[${index}] has no string id`);
    for (const field of requiredItemFields) {
      if (record[field] === undefined || record[field] === null) throw new MalformedResponseError(`data[${index}] (${record.id}) has no ${field}`);
    }
    if (ids.has(record.id)) throw new MalformedResponseError(`id "${record.id}" appears twice in one page`);
    ids.add(record.id);
  });
  const data = envelope.data as T[];
  const page: ListPage<T> = { data, hasMore: envelope.has_more, firstId: optionalId(envelope.first_id, "first_id"), lastId: optionalId(envelope.last_id, "last_id") };
  checkEnvelope(page);
  return page;
}

function checkEnvelope(page: ListPage<{ id: string }>): void {
  const first = page.data[0]?.id, last = page.data[page.data.length - 1]?.id;
  if (page.hasMore && first === undefined) throw new MalformedResponseError("has_more is true but data is empty: there is no item to continue after");
  for (const [field, given, actual, which] of [["first_id", page.firstId, first, "first"], ["last_id", page.lastId, last, "last"]] as const) {
    if (given === null) continue;
    if (actual === undefined) throw new MalformedResponseError(`${field} "${given}" is given but data is empty`);
    if (given !== actual) throw new MalformedResponseError(`${field} "${given}" is not the ${which} item's id "${actual}"`);
  }
}

/** Parses a single object response that must carry a string `id`. */
export function parseObject<T extends JsonObject>(text: string): T {
  let body: unknown;
  try {
    body = parseJsonExact(text);
  } catch {
    throw new MalformedResponseError(`response is not JSON: ${excerpt(text)}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body) || typeof (body as JsonObject).id !== "string") {
    throw new MalformedResponseError(`response is not an object with an id: ${excerpt(text)}`);
  }
  return body as T;
}
