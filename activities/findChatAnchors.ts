/**
 * Finds anchors for splitting a chat-completions backlog into segments that can be read at once.
 * It lists `order=desc&model=<m>` from a known completion: one page of a model that makes up a
 * share f of the completions spans about 100 / f completions of the unfiltered listing, so it runs
 * ahead of the segments by a factor 1 / f and hands them starting points (completion ids) deep in
 * the backlog. It uploads nothing and decides nothing about completeness: the segments read the
 * unfiltered listing, so completions of models nobody knows are still read. If it stops early (the
 * model is used only recently, or its `after` was deleted) the pass is only less parallel.
 *
 * An anchor's `created` decides which seconds each segment owns, so it is not taken from the
 * filtered listing: each anchor is read again by id (`GET /chat/completions/{id}`) and carries the
 * `created` of that answer; one that is gone, or names no Unix second, is dropped. (The segments
 * then check it once more: their listing after the anchor must continue the `created` order from it.)
 */
import type { Anchor } from "../src/cursors/completionSweep";
import { createdSecond } from "../src/openai/createdOrder";
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

/** Result: anchors, newest first, each with the `created` its own GET answered, and where to continue. */
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
    const gone = (error: unknown) => isOpenAIError(error) && (error.failure.kind === "notFound" || error.failure.kind === "cursorInvalid");
    const verified = async (end: FindAnchorsEnd): Promise<FindAnchorsResult> => {
      const found = anchors.splice(0);
      for (const anchor of found) {
        const created = await withApiKey(deps.secrets, input.apiKeySecretName, (key) => deps.openai.getChatCompletion(key, anchor.id))
          .then((c) => createdSecond(c.created), (error: unknown) => { if (gone(error)) return null; throw error; });
        if (created !== null) anchors.push({ id: anchor.id, created });
      }
      anchors.sort((a, b) => b.created - a.created);
      return result({ kind: "ok" }, end);
    };
    try {
      while (pages < input.maxPages) {
        let page;
        try {
          page = await withApiKey(deps.secrets, input.apiKeySecretName, (key) => deps.openai.listChatCompletions(key, { order: "desc", after, model: input.model }));
        } catch (error) {
          if (gone(error)) return await verified("exhausted");
          throw error;
        }
        pages++;
        for (const c of page.data) {
          const created = createdSecond(c.created);
          if (created === null) continue;
          if (created < input.floor) return await verified("floor");
          after = c.id;
          if (++counted % input.every === 0) {
            anchors.push({ id: c.id, created });
            if (anchors.length >= input.maxAnchors) return await verified("more");
          }
        }
        const next = nextCompletionCursor(page);
        // An empty last page after an id that was deleted looks like the end: either way this model is done.
        if (next === null) return await verified("exhausted");
        guard.follow(next);
      }
      return await verified("more");
    } catch (error) {
      // Not one anchor that was not verified: the fold ignores a failed search and asks again.
      anchors.splice(0);
      return result(outcomeOf(error), "more");
    }
  };
}
