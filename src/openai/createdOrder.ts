/**
 * What a stored completion's `created` may be trusted for, and the `created` order a completions
 * page must keep. Pure.
 *
 * `created` is "the Unix timestamp (in seconds) of when the chat completion was created"
 * (openai-openapi.yaml, `CreateChatCompletionResponse.created`, an integer), and the list endpoint
 * sorts by it (`listChatCompletions`, `order`: "Sort order for Chat Completions by timestamp"). The
 * chat cursor partitions the listing by whole `created` seconds, so it must be able to trust both:
 * - a value it cannot place on the time axis (not a number or numeric string, outside
 *   0 … {@link MAX_CREATED_SECONDS}) is *unplaced*: the completion is still delivered, as it came,
 *   but takes no part in cursor arithmetic (see src/cursors/completionSweep.ts);
 * - a page whose placed items are out of order is a self-contradicting page
 *   ({@link checkCreatedOrder}): a retriable error, never the end of the data.
 */
import { MalformedResponseError } from "./parse";

/** Latest `created` taken as a time: 9999-12-31T23:59:59Z, the last second an ISO-8601 year of four digits can name. */
export const MAX_CREATED_SECONDS = 253_402_300_799;

/**
 * The whole Unix second a raw `created` value names, or null when it names none: a finite number
 * or a decimal string of one, from 0 to {@link MAX_CREATED_SECONDS}; a fraction is cut to its second.
 */
export function createdSecond(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || n > MAX_CREATED_SECONDS) return null;
  return Math.floor(n);
}

/** How a completions listing was asked for, to check the page it got. */
export interface CreatedOrder {
  readonly order: "asc" | "desc";
  /** `created` second of the completion the request continues after, as the caller listed it; null for a first page. */
  readonly afterCreated: number | null;
}

/**
 * Throws {@link MalformedResponseError} (naming the completions) when the placed `created` seconds
 * of `items` are not non-increasing (`desc`) or non-decreasing (`asc`), starting from
 * `afterCreated`. Ties are allowed in any order (their order is undocumented); unplaced items are
 * skipped.
 */
export function checkCreatedOrder(items: readonly { readonly id: string; readonly created?: unknown }[], request: CreatedOrder): void {
  let previous: { readonly id: string | null; readonly created: number } | null = request.afterCreated === null ? null : { id: null, created: request.afterCreated };
  for (const item of items) {
    const created = createdSecond(item.created);
    if (created === null) continue;
    if (previous !== null && (request.order === "desc" ? created > previous.created : created < previous.created)) {
      const before = previous.id === null ? `the completion the page continues after (created ${previous.created})` : `${previous.id} (created ${previous.created})`;
      throw new MalformedResponseError(`completions out of order=${request.order}: ${item.id} (created ${created}) is listed after ${before}`);
    }
    previous = { id: item.id, created };
  }
}
