/**
 * Drives chat-completions passes the way the orchestrator does (startPass → plan → activities at
 * once → fold), without the durable host, so integration tests can run the real activities over
 * real sockets and look at every intermediate cursor.
 */
import { collectChatCompletions, type CompletionSegmentResult } from "../../activities/collectChatCompletions";
import type { CollectDeps, CollectorRef } from "../../activities/deps";
import { findChatAnchors, type FindAnchorsResult } from "../../activities/findChatAnchors";
import { foldChatGeneration, planChatGeneration, startPass, type ChatPlan, type ChatSettings } from "../../orchestrators/planChat";
import type { ChatCursor } from "../../src/cursors/chatCursor";

/** One generation as it ran. */
export interface GenerationRun {
  readonly plan: ChatPlan;
  readonly results: readonly CompletionSegmentResult[];
  readonly anchors: FindAnchorsResult | null;
  readonly cursor: ChatCursor;
}

/** Runs generations until a pass finishes; a failed outcome is retried with the same cursor, as the orchestrator does. */
export async function runPass(deps: CollectDeps, ref: CollectorRef, start: ChatCursor, settings: ChatSettings, nowSeconds: number, onGeneration?: (g: GenerationRun) => void): Promise<{ cursor: ChatCursor; generations: GenerationRun[] }> {
  let cursor = start.pass ? start : startPass(start, nowSeconds, settings);
  const generations: GenerationRun[] = [];
  for (let i = 0; i < 2_000; i++) {
    const plan = planChatGeneration(cursor, ref, settings);
    const [results, anchors] = await Promise.all([
      Promise.all(plan.segments.map(({ input }) => collectChatCompletions(deps)(input))),
      plan.anchors ? findChatAnchors(deps)(plan.anchors) : Promise.resolve(null),
    ]);
    const folded = foldChatGeneration(cursor, plan, results, anchors, settings);
    cursor = folded.cursor;
    const run = { plan, results, anchors, cursor };
    generations.push(run);
    onGeneration?.(run);
    if (folded.finished) return { cursor, generations };
  }
  throw new Error("the pass did not finish in 2,000 generations");
}
