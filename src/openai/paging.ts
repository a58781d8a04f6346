/**
 * Pagination rules: which cursor comes next, what a page may not say about the request it
 * answers, and a guard that refuses to loop. Pure.
 *
 * Every contradiction is a {@link MalformedResponseError}: the client retries it in the call, then
 * reports a retriable failure, and the caller keeps its cursor where the last delivered page left
 * it — so the window or sweep continues on the next try and is never marked drained. The
 * envelope's own contradictions are checked by `parseListPage`; the request-relative ones here:
 * - the next cursor equals the `after` the request sent (the cursor does not move);
 * - the page lists the item it was asked to continue after;
 * - an audit event whose `effective_at` is not a number inside the requested `[gte, lt)` (the
 *   server did not answer the question asked; keeping it would double it in the neighbouring window);
 * - a cursor followed earlier in the same listing ({@link CursorGuard}).
 * Decided not to be contradictions: `has_more: false` after an `after` (the listing may end
 * there; for completions the activity checks a dead cursor and a skipped watermark itself), and
 * items out of `effective_at` order inside a window (the sort order is undocumented, windows are
 * drained whatever it is).
 */
import { MalformedResponseError } from "./parse";
import type { ListPage } from "./types";

/** A repeated cursor: continuing would loop forever. Retriable like any malformed response. */
export class PaginationLoopError extends MalformedResponseError {
  override readonly name = "PaginationLoopError";
}

/** What a list request asked, for checking the page it got. */
export interface PageRequest {
  /** The `after` cursor sent; null or absent for a first page. */
  readonly after?: string | null | undefined;
  /** Audit logs: the requested `effective_at` window, Unix seconds, `[gte, lt)`. */
  readonly effectiveAt?: { readonly gte: number; readonly lt: number };
}

/**
 * Throws {@link MalformedResponseError} when `page` contradicts `request` (see the module
 * comment). `page` must come from `parseListPage`, which checked the envelope itself.
 */
export function checkPage(page: ListPage<{ id: string; effective_at?: unknown }>, request: PageRequest): void {
  const after = request.after ?? null;
  if (after !== null) {
    if (page.hasMore && nextCompletionCursor(page) === after) throw new MalformedResponseError(`the page continues after "${after}", the cursor it was asked to continue after`);
    if (page.data.some((item) => item.id === after)) throw new MalformedResponseError(`the page repeats "${after}", the item it was asked to continue after`);
  }
  const window = request.effectiveAt;
  if (window) {
    for (const item of page.data) {
      const at = item.effective_at;
      if (typeof at !== "number" || !(at >= window.gte && at < window.lt)) {
        throw new MalformedResponseError(`${item.id} has effective_at ${JSON.stringify(at)}, outside the requested [${window.gte}, ${window.lt})`);
      }
    }
  }
}

/**
 * Next `after` for audit logs (ConversationCursorPage): the body's `last_id` while `has_more`
 * (which `parseListPage` checked names the last item), else the last item's id. Null when done.
 */
export function nextAuditCursor(page: ListPage<{ id: string }>): string | null {
  if (!page.hasMore) return null;
  return page.lastId ?? page.data[page.data.length - 1]?.id ?? null;
}

/** Next `after` for chat completions (CursorPage): the last item's id while `has_more`. */
export function nextCompletionCursor(page: ListPage<{ id: string }>): string | null {
  if (!page.hasMore) return null;
  return page.data[page.data.length - 1]?.id ?? null;
}

/** Remembers every cursor followed in one listing and throws on a repeat. */
export class CursorGuard {
  private readonly seen = new Set<string>();

  /** Creates a guard; `start` is the cursor the listing began from, if any. */
  constructor(start?: string | null) {
    if (start) this.seen.add(start);
  }

  /** Records `cursor` as the next one to follow; throws {@link PaginationLoopError} on a repeat. */
  follow(cursor: string): void {
    if (this.seen.has(cursor)) throw new PaginationLoopError(`the API returned cursor "${cursor}" twice in one listing; refusing to loop`);
    this.seen.add(cursor);
  }
}
