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
