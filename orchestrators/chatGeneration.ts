/**
 * One generation of a chat-completions collector: start a pass when none is running, fan out its
 * segment activities (and the anchor search), fold the results. Deterministic: time only from
 * context.df.currentUtcDateTime; the planning is pure (planChat.ts).
 */
import type * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import type { CompletionSegmentResult } from "../activities/collectChatCompletions";
import type { FindAnchorsResult } from "../activities/findChatAnchors";
import type { Outcome } from "../activities/outcome";
import { toChatCursor } from "../src/cursors/chatCursor";
import { withDelivery } from "../src/delivery/progress";
import { foldStats, type ActivityReport } from "./generation";
import { CHAT_ANCHORS_ACTIVITY, CHAT_PAGES_ACTIVITY } from "./names";
import { foldChatGeneration, planChatGeneration, startPass } from "./planChat";
import type { CollectorControlView, CollectorState } from "./state";
import { fanOut, keepFinished, type GenerationPlan } from "./taskFailure";

/** What a generation hands back to the collector orchestrator. */
export interface GenerationOutcome {
  readonly state: CollectorState;
  readonly outcomes: Outcome[];
  /** True when a pass finished: wait the poll interval before the next. */
  readonly caughtUp: boolean;
}

/** Runs one generation of a chat-completions collector, planned as `plan` says (a retried generation plans as it first did). */
export function* chatGeneration(context: OrchestrationContext, state: CollectorState, view: CollectorControlView, plan: GenerationPlan): Generator<df.Task, GenerationOutcome, unknown> {
  const { definition, settings } = view;
  const nowSeconds = Math.floor(plan.atMs / 1000);
  let cursor = toChatCursor(state.chat, state.startTime, nowSeconds);
  if (!cursor.pass) cursor = startPass(cursor, nowSeconds, settings);
  const ref = { collectorId: definition.id, connectorName: definition.friendlyName, apiKeySecretName: definition.apiKeySecretName };
  const work = planChatGeneration(cursor, ref, settings);
  // Only the segments upload, so only they carry a delivery ref (crash-safe progress, activities/pageDelivery.ts).
  const inputs = [...work.segments.map(({ input }, i) => withDelivery(input, plan.generation, i, plan.atMs)), ...(work.anchors ? [work.anchors] : [])];
  const tasks = inputs.map((input, i) => context.df.callActivity(i < work.segments.length ? CHAT_PAGES_ACTIVITY : CHAT_ANCHORS_ACTIVITY, input));
  const results = yield* fanOut(context, tasks, (finished) => keepFinished(context, definition.id, inputs, finished));
  const segmentResults = results.slice(0, work.segments.length) as CompletionSegmentResult[];
  const anchorsResult = work.anchors ? (results[work.segments.length] as FindAnchorsResult) : null;
  const folded = foldChatGeneration(cursor, work, segmentResults, anchorsResult, settings);
  const reports: ActivityReport[] = [
    ...segmentResults.map((r) => ({ outcome: r.outcome, rowsWritten: r.rowsWritten, pages: r.pages, duplicates: r.again, newestEventAt: r.newestEventAt })),
    ...(anchorsResult ? [{ outcome: anchorsResult.outcome, rowsWritten: 0, pages: anchorsResult.pages, duplicates: 0, newestEventAt: null }] : []),
  ];
  const outcomes = reports.map((r) => r.outcome);
  return {
    state: { ...state, chat: folded.cursor, stats: foldStats(state.stats, reports, context.df.currentUtcDateTime.toISOString()) },
    outcomes,
    caughtUp: folded.finished && outcomes.every((o) => o.kind === "ok"),
  };
}
