/** Pagination rules: which cursor comes next, and a guard that refuses to loop. Pure. */
import type { ListPage } from "./types";

/** A page repeated a cursor already followed: continuing would loop forever. */
export class PaginationLoopError extends Error {
  override readonly name = "PaginationLoopError";
}

/**
 * Next `after` for audit logs (ConversationCursorPage): the body's `last_id` while `has_more`,
 * falling back to the last item's id when `last_id` is absent. Null when the listing is done.
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
    if (this.seen.has(cursor)) throw new PaginationLoopError(`the API returned cursor ${cursor} twice; refusing to loop`);
    this.seen.add(cursor);
  }
}
