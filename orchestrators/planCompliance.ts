/**
 * Compliance-log work planning and folding. Pure: the orchestrator calls these with the cursor
 * it carries. Each generation runs one activity per stream (event type at its scope), in waves of
 * the collector's parallelism, and folds the cursors they return. A stream whose scope id changed
 * in the definition starts over at the collector's start time.
 */
import type { ComplianceScope } from "../src/compliance/eventTypes";
import { unixSecondsToIsoMicros } from "../src/compliance/isoTime";
import { initialLogFileCursor, type LogFileCursor } from "../src/compliance/logFileCursor";
import { DEFAULT_OVERLAP_SECONDS, resolveStreams, type ComplianceOptions, type ComplianceStream } from "../src/compliance/streams";

/** Files one activity call ingests at most (a file can be large; this bounds one call's duration). */
export const MAX_FILES_PER_ACTIVITY = 25;

/** One stream's state between generations. */
export interface ComplianceStreamState extends LogFileCursor {
  readonly scope: ComplianceScope;
  readonly scopeId: string;
  /** The stream's last run drained its listing (`has_more: false`) without a failure. */
  readonly caughtUp: boolean;
}

/** The compliance-logs cursor: one state per event type, keyed by event type. */
export interface ComplianceCursor {
  /** ISO-8601 start of the collector. */
  readonly origin: string;
  readonly streams: Readonly<Record<string, ComplianceStreamState>>;
}

/** One activity call to make. */
export interface ComplianceTask {
  readonly stream: ComplianceStream;
  readonly cursor: LogFileCursor;
}

/** What a stream's activity reported (the parts the fold needs). */
export interface ComplianceTaskResult {
  readonly ok: boolean;
  readonly done: boolean;
  readonly cursor: LogFileCursor;
}

/** A new compliance cursor starting at Unix second `startTime`. */
export function initialComplianceCursor(startTime: number): ComplianceCursor {
  return { origin: unixSecondsToIsoMicros(startTime), streams: {} };
}

/** The streams of a definition's options; none when the options are unusable (they are validated on the way in). */
export function streamsOf(options: ComplianceOptions | undefined): ComplianceStream[] {
  if (!options) return [];
  const resolved = resolveStreams(options);
  return "streams" in resolved ? resolved.streams : [];
}

/** The overlap a definition asks for, seconds. */
export function overlapOf(options: ComplianceOptions | undefined): number {
  return options?.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
}

function stateOf(cursor: ComplianceCursor, stream: ComplianceStream): ComplianceStreamState {
  const kept = cursor.streams[stream.eventType];
  if (kept && kept.scope === stream.scope && kept.scopeId === stream.scopeId) return kept;
  return { ...initialLogFileCursor(cursor.origin), scope: stream.scope, scopeId: stream.scopeId, caughtUp: false };
}

/** The tasks of one generation, one per stream, in waves of at most `parallelism` run at once. */
export function planCompliance(cursor: ComplianceCursor, streams: readonly ComplianceStream[], parallelism: number): ComplianceTask[][] {
  const tasks = streams.map((stream) => {
    const { after, delivered, partial, seen } = stateOf(cursor, stream);
    return { stream, cursor: { after, delivered, partial, seen } };
  });
  const size = Math.max(1, parallelism);
  return Array.from({ length: Math.ceil(tasks.length / size) }, (_, i) => tasks.slice(i * size, (i + 1) * size));
}

/**
 * The cursor after a generation's results (same order as the tasks). Streams the definition no
 * longer names are dropped.
 */
export function foldCompliance(cursor: ComplianceCursor, tasks: readonly ComplianceTask[], results: readonly ComplianceTaskResult[]): ComplianceCursor {
  const streams: Record<string, ComplianceStreamState> = {};
  tasks.forEach((task, i) => {
    const r = results[i]!;
    streams[task.stream.eventType] = { ...r.cursor, scope: task.stream.scope, scopeId: task.stream.scopeId, caughtUp: r.ok && r.done };
  });
  return { origin: cursor.origin, streams };
}

/** True when every stream drained its listing in this generation. */
export function complianceCaughtUp(cursor: ComplianceCursor): boolean {
  return Object.values(cursor.streams).every((s) => s.caughtUp);
}

/** A short summary for status: each stream's position. */
export function complianceCursorSummary(cursor: ComplianceCursor): Record<string, unknown> {
  return {
    startTime: cursor.origin,
    streams: Object.fromEntries(Object.entries(cursor.streams).map(([type, s]) => [type, { after: s.after, caughtUp: s.caughtUp, partialFile: s.partial !== null }])),
  };
}
