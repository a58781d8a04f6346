/**
 * Finds anchors for splitting a chat-completions backlog into segments that can be read at once.
 * It lists `order=desc&model=<m>` from a known completion: one page of a model that makes up a
 * share f of the completions spans about 100 / f completions of the unfiltered listing, so it runs
 * ahead of the segments by a factor 1 / f and hands them starting points (completion ids) deep in
 * the backlog. It uploads nothing and decides nothing about completeness: the segments read the
 * unfiltered listing, so completions of models nobody knows are still read. If it stops early (the
 * model is used only recently, or its `after` was deleted) the pass is only less parallel.
 */
import type { Anchor } from "../src/cursors/completionSweep";
import { isOpenAIError } from "../src/openai/failures";
import { CursorGuard, nextCompletionCursor } from "../src/openai/paging";
import { withApiKey } from "./apiKey";
import type { CollectDeps, CollectorRef } from "./deps";
import { outcomeOf, type Outcome } from "./outcome";

/** Input of one anchor-finding activity. */
export interface FindAnchorsInput extends CollectorRef {
  /** The `model` filter. */
  readonly model: string;
  /** Continue after this completion (any stored completion: the listing starts below its position). */
  readonly after: string;
  /** Stop at completions created before this Unix second (the pass's floor). */
  readonly floor: number;
  /** Return every `every`-th completion listed as an anchor. */
  readonly every: number;
  /** Return at most this many anchors (the segments the pass still has room for). */
  readonly maxAnchors: number;
  readonly maxPages: number;
}

/** Why the listing stopped. */
export type FindAnchorsEnd =
  /** Page budget or anchor budget spent; continue from `after`. */
  | "more"
  /** Reached the floor. */
  | "floor"
  /** The model has no older completions (or the starting completion was deleted). */
  | "exhausted";

/** Result: anchors, newest first, and where to continue. */
export interface FindAnchorsResult {
  readonly outcome: Outcome;
  readonly anchors: readonly Anchor[];
  readonly after: string;
  readonly end: FindAnchorsEnd;
  readonly pages: number;
}

/** Creates the anchor-finding activity over its dependencies. */
export function findChatAnchors(deps: CollectDeps) {
  return async (input: FindAnchorsInput): Promise<FindAnchorsResult> => {
    const anchors: Anchor[] = [];
    let after = input.after;
    let pages = 0;
    let counted = 0;
    const guard = new CursorGuard(after);
    const result = (outcome: Outcome, end: FindAnchorsEnd): FindAnchorsResult => ({ outcome, anchors, after, end, pages });
    try {
      while (pages < input.maxPages) {
        let page;
        try {
          page = await withApiKey(deps.secrets, input.apiKeySecretName, (key) => deps.openai.listChatCompletions(key, { order: "desc", after, model: input.model }));
        } catch (error) {
          if (isOpenAIError(error) && (error.failure.kind === "notFound" || error.failure.kind === "cursorInvalid")) return result({ kind: "ok" }, "exhausted");
          throw error;
        }
        pages++;
        for (const c of page.data) {
          if (c.created < input.floor) return result({ kind: "ok" }, "floor");
          after = c.id;
          if (++counted % input.every === 0) {
            anchors.push({ id: c.id, created: c.created });
            if (anchors.length >= input.maxAnchors) return result({ kind: "ok" }, "more");
          }
        }
        const next = nextCompletionCursor(page);
        // An empty last page after an id that was deleted looks like the end: either way this model is done.
        if (next === null) return result({ kind: "ok" }, "exhausted");
        guard.follow(next);
      }
      return result({ kind: "ok" }, "more");
    } catch (error) {
      return result(outcomeOf(error), "more");
    }
  };
}
