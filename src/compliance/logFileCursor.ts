/**
 * The cursor of one compliance-log stream (one event type at one scope) and the rules that move
 * it. It only moves after delivery: `after` passes a page only once every file on it was ingested,
 * never goes backwards and never becomes null (an empty page keeps it). Files a re-list can
 * return again (the boundary file at `after`, late files inside the overlap) are remembered by
 * digest, so none is ingested twice; a file cut short by a failed upload resumes at its first
 * undelivered line; event ids of types that repeat them are remembered for a window. Pure (digests
 * are computed by the caller); safe in orchestrators.
 */
import { compareIso, isoToUnixSeconds, laterIso, minusSeconds } from "./isoTime";

/** How long event ids are remembered for types that repeat them (COSTS), seconds of event time. */
export const EVENT_ID_WINDOW_SECONDS = 86_400;
/** Most event ids remembered per stream; beyond it the oldest are forgotten (the parser still de-duplicates). */
export const MAX_REMEMBERED_EVENT_IDS = 20_000;

/** A file ingested up to (not including) line `lines` (1-based line numbers of the file). */
export interface PartialFile {
  /** Digest of the file id. */
  readonly file: string;
  /** Lines of the file already delivered, counting blank ones. */
  readonly lines: number;
}

/** The stream's cursor: small, key-free, stored in orchestration history. */
export interface LogFileCursor {
  /** ISO-8601: every file the listing returns up to here was ingested. */
  readonly after: string;
  /** `<end_time Unix seconds>:<file digest>` of ingested files a re-list can return again. */
  readonly delivered: readonly string[];
  /** The file an upload failure cut short, if any. */
  readonly partial: PartialFile | null;
  /** `<event time Unix seconds>:<event id digest>` of events delivered inside the de-duplication window. */
  readonly seen: readonly string[];
}

/** A new stream's cursor at the collector's start time. */
export function initialLogFileCursor(origin: string): LogFileCursor {
  return { after: origin, delivered: [], partial: null, seen: [] };
}

/** `<seconds>:<digest>`. */
export function entry(seconds: number, digest: string): string {
  return `${seconds}:${digest}`;
}

function entrySeconds(e: string): number {
  return Number(e.slice(0, e.indexOf(":")));
}

/** The digest part of an entry. */
export function entryDigest(e: string): string {
  return e.slice(e.indexOf(":") + 1);
}

/**
 * The `after` the next listing starts from: `overlapSeconds` before the cursor (to catch files
 * published late), never before the collector's start; exactly the cursor when there is no overlap.
 */
export function listFrom(cursor: Pick<LogFileCursor, "after">, origin: string, overlapSeconds: number): string {
  return overlapSeconds > 0 ? laterIso(minusSeconds(cursor.after, overlapSeconds), origin) : cursor.after;
}

/**
 * The cursor after a page whose every file was delivered: `after` moves to the page's
 * `last_end_time` unless that is earlier (a re-listed overlap), and stays on an empty page.
 */
export function pageDelivered(cursor: LogFileCursor, lastEndTime: string | null): LogFileCursor {
  return lastEndTime === null ? cursor : { ...cursor, after: laterIso(cursor.after, lastEndTime) };
}

/**
 * Forgets what can no longer come back: files ending before the next listing's start (they are
 * never listed again) and event ids older than the window before the newest one (or beyond the cap).
 */
export function pruneCursor(cursor: LogFileCursor, origin: string, overlapSeconds: number): LogFileCursor {
  const floor = isoToUnixSeconds(listFrom(cursor, origin, overlapSeconds)) - 1;
  const newest = cursor.seen.reduce((n, e) => Math.max(n, entrySeconds(e)), -Infinity);
  const seen = cursor.seen.filter((e) => entrySeconds(e) >= newest - EVENT_ID_WINDOW_SECONDS);
  const kept = seen.length > MAX_REMEMBERED_EVENT_IDS ? [...seen].sort((a, b) => entrySeconds(b) - entrySeconds(a)).slice(0, MAX_REMEMBERED_EVENT_IDS) : seen;
  return { ...cursor, delivered: cursor.delivered.filter((e) => entrySeconds(e) >= floor), seen: kept };
}

/** Throws when `next.after` is before `previous.after`: a cursor going backwards is a bug that must fail loudly. */
export function assertForward(previous: LogFileCursor, next: LogFileCursor, stream: string): void {
  if (compareIso(next.after, previous.after) < 0) throw new Error(`compliance cursor of ${stream} would move backwards from ${previous.after} to ${next.after}`);
}
