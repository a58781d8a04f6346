/**
 * The log-file listing of the Compliance Logs Platform, parsed strictly: a body that is not a
 * listing, or a page that contradicts itself (files but no `last_end_time`, a `last_end_time`
 * before its own files, "more" with nothing to continue from), is an error — never an empty page.
 * Unknown fields pass through. Pure. Source: chatgpt-compliance-api.md §1.5 (`{data: [{id,
 * event_type, end_time, file_name, file_size, file_sha256}], has_more, last_end_time}`; an empty
 * page has `last_end_time: null`, or omits it).
 */
import { MalformedResponseError } from "../openai/parse";
import { compareIso, isIsoInstant } from "./isoTime";

/** One immutable log file, as listed. */
export interface LogFile {
  /** File id, e.g. `eclf_…`. */
  readonly id: string;
  /** Event type of the records in the file; absent when the server did not say. */
  readonly eventType: string | null;
  /** ISO-8601 end of the period the file covers (microseconds). */
  readonly endTime: string;
  readonly fileName: string | null;
  /** Size in bytes, when listed. */
  readonly fileSize: number | null;
  /** Lower-case hex SHA-256 of the file's bytes, when listed. */
  readonly sha256: string | null;
}

/** One listing page. */
export interface LogFilePage {
  /** Files of the requested event type, in the server's order (oldest first). */
  readonly files: LogFile[];
  /** Files the server listed for another event type (left out of `files`). */
  readonly foreign: number;
  readonly hasMore: boolean;
  /** Where the next listing continues (`after`); null only on an empty page. */
  readonly lastEndTime: string | null;
}

const SHA256 = /^[0-9a-f]{64}$/i;

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function optionalString(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new MalformedResponseError(`${what} is not a string`);
  return value;
}

function parseFile(item: unknown, index: number): LogFile {
  if (item === null || typeof item !== "object" || Array.isArray(item)) throw new MalformedResponseError(`data[${index}] is not an object`);
  const f = item as Record<string, unknown>;
  if (typeof f.id !== "string" || f.id === "") throw new MalformedResponseError(`data[${index}] has no string id`);
  if (!isIsoInstant(f.end_time)) throw new MalformedResponseError(`data[${index}] (${f.id}) has no ISO-8601 end_time`);
  const size = f.file_size;
  if (size !== undefined && size !== null && !(Number.isSafeInteger(size) && (size as number) >= 0)) throw new MalformedResponseError(`data[${index}] (${f.id}) file_size is not a byte count`);
  const sha = optionalString(f.file_sha256, `data[${index}] (${f.id}) file_sha256`);
  if (sha !== null && sha !== "" && !SHA256.test(sha)) throw new MalformedResponseError(`data[${index}] (${f.id}) file_sha256 is not a SHA-256 hex digest`);
  return {
    id: f.id, eventType: optionalString(f.event_type, `data[${index}] (${f.id}) event_type`), endTime: f.end_time,
    fileName: optionalString(f.file_name, `data[${index}] (${f.id}) file_name`), fileSize: (size as number | null | undefined) ?? null,
    sha256: sha ? sha.toLowerCase() : null,
  };
}

/**
 * Parses a listing page for `eventType`. Throws {@link MalformedResponseError} when the body is not
 * a listing or contradicts itself; files of another event type are counted in `foreign`.
 */
export function parseLogFilePage(text: string, eventType: string): LogFilePage {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MalformedResponseError(`response is not JSON: ${excerpt(text)}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new MalformedResponseError(`response is not a listing object: ${excerpt(text)}`);
  const envelope = body as Record<string, unknown>;
  if (!Array.isArray(envelope.data)) throw new MalformedResponseError(`response has no data array: ${excerpt(text)}`);
  if (typeof envelope.has_more !== "boolean") throw new MalformedResponseError(`response has no boolean has_more: ${excerpt(text)}`);
  const last = envelope.last_end_time;
  if (last !== undefined && last !== null && !isIsoInstant(last)) throw new MalformedResponseError(`last_end_time is not an ISO-8601 date-time: ${JSON.stringify(last)}`);
  const lastEndTime = last ?? null;
  const all = envelope.data.map(parseFile);
  if (all.length > 0 && lastEndTime === null) throw new MalformedResponseError(`the page lists ${all.length} files but no last_end_time`);
  if (all.length === 0 && envelope.has_more && lastEndTime === null) throw new MalformedResponseError("the page says has_more but lists no file and no last_end_time to continue from");
  const newest = all.reduce<string | null>((n, f) => (n === null || compareIso(f.endTime, n) > 0 ? f.endTime : n), null);
  if (newest !== null && compareIso(lastEndTime!, newest) < 0) throw new MalformedResponseError(`last_end_time ${lastEndTime} is before the end_time ${newest} of a file on the same page`);
  const files = all.filter((f) => f.eventType === null || f.eventType === eventType);
  return { files, foreign: all.length - files.length, hasMore: envelope.has_more, lastEndTime };
}
