import type { HistoryEvent } from "./history";

/**
 * The fields besides `history`, `input`, `instanceId` and `isReplaying` that the Durable extension
 * puts in an orchestrator trigger payload for a Node worker, as version 3.19.0 with the Azure
 * Storage provider sends them (recorded by the engine tests, test/engine/backfill.test.ts, which
 * assert the real payload still carries exactly these). With `upperSchemaVersionNew: 3` the SDK
 * answers with schema version 3 and splits timers longer than `maximumShortTimerDuration`.
 */
export const EXTENSION_TRIGGER_FIELDS = {
  parentInstanceId: null,
  sourceInstanceId: null,
  upperSchemaVersion: 1,
  upperSchemaVersionNew: 3,
  longRunningTimerIntervalDuration: "3.00:00:00",
  maximumShortTimerDuration: "6.00:00:00",
  defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
} as const;

/**
 * The trigger payload of one episode, as the extension sends it to a Node worker: `history` with
 * its first `replayed` events marked played (`IsPlayed`), the input parsed from `inputText` (JSON),
 * and {@link EXTENSION_TRIGGER_FIELDS}. Each event is a shallow copy, and the input a fresh parse:
 * the SDK turns `Timestamp` strings into Dates in place, over the whole trigger
 * (`Utils.parseTimestampsAsDates`), and history events are flat.
 */
export function orchestratorTrigger(history: readonly HistoryEvent[], replayed: number, inputText: string, instanceId: string) {
  return {
    history: history.map((e, i) => ({ ...e, IsPlayed: i < replayed })), input: JSON.parse(inputText) as unknown,
    instanceId, isReplaying: replayed > 0, ...EXTENSION_TRIGGER_FIELDS,
  };
}
