/**
 * The rules for a collector's start time (`startTime` of PUT /api/collectors/{id}, of
 * POST …/reset, and of each entry of the COLLECTORS setting), as pure functions.
 *
 * A start time is an RFC 3339 date-time with a zone that names a real instant (2026-02-30 is
 * refused, not read as 2026-03-02 the way `Date.parse` does), not in the future beyond a small clock
 * skew (a collector starting in 9999 would show "running" and never read anything), and not before
 * the data type's floor: the time before which its OpenAI list cannot hold anything (a reset to
 * 1969 would otherwise sweep half a century of empty days).
 */
import type { DataType } from "./dataTypes";

/** How far in the future a start time may be, seconds: the clock skew between a browser or script and the app. */
export const START_TIME_CLOCK_SKEW_SECONDS = 300;

/**
 * The earliest start time of a data type without its own floor: the OpenAI API's launch
 * (2020-06-11, "OpenAI API", openai.com/blog/openai-api). Nothing any OpenAI endpoint lists is older.
 */
export const DEFAULT_START_TIME_FLOOR = "2020-06-11T00:00:00Z";

/**
 * The earliest start time per data type, ISO-8601 UTC. OpenAI documents no retention for either
 * list (shared reference openai-api.md §8.10: "Audit-log retention is not stated officially …
 * Stored-completion retention is unknown"), so the floor is when the data can first exist:
 * - `auditLogs`: the Audit Logs API dates from 2024 (the spec's audit-log examples have
 *   `effective_at` 1720804190 and 1722461446, July 2024; openai-openapi.yaml `ListAuditLogsResponse`);
 * - `chatCompletions`: stored completions exist since `store: true` came to Chat Completions in
 *   October 2024.
 * 2024-01-01 is before both. A data type added later gets {@link DEFAULT_START_TIME_FLOOR} unless it
 * names its own here.
 */
export const START_TIME_FLOORS: Readonly<Partial<Record<DataType, string>>> = {
  auditLogs: "2024-01-01T00:00:00Z",
  chatCompletions: "2024-01-01T00:00:00Z",
};

/** RFC 3339 `date-time` (§5.6) with `T`; seconds optional, as the page's datetime-local input may omit them. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** Days of `month` (1–12) of `year` in the proleptic Gregorian calendar (ISO 8601). */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** The message template of a malformed start time (after the field name). */
export const DATE_TIME_FORMAT_MESSAGE = "must be an ISO-8601 date-time with a time zone, e.g. 2026-11-01T00:00:00Z";

/**
 * What is wrong with `text` as a date-time (a phrase following the field name), or undefined when it
 * names a real instant. Pure.
 */
export function dateTimeProblem(text: string): string | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return DATE_TIME_FORMAT_MESSAGE;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as [number, number, number, number, number, number, number, number];
  if (month < 1 || month > 12) return `is not a real date: there is no month ${m[2]} (${text})`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `is not a real date: ${MONTHS[month - 1]} ${year} has ${days} days (${text})`;
  if (hour > 23 || minute > 59 || second > 59) return `is not a real time of day (${text})`;
  if (offsetHours > 23 || offsetMinutes > 59) return `has an impossible time zone offset (${text})`;
  if (Number.isNaN(Date.parse(text))) return DATE_TIME_FORMAT_MESSAGE;
  return undefined;
}

/** The floor of `dataType` (or the default floor when it has none or is not known), Unix ms. */
export function startTimeFloorMs(dataType: DataType | undefined): number {
  return Date.parse((dataType && START_TIME_FLOORS[dataType]) ?? DEFAULT_START_TIME_FLOOR);
}

/**
 * What is wrong with a well-formed start time `text` for `dataType` at wall-clock time `nowMs`
 * (a phrase following the field name), or undefined when it is in range. Pure.
 */
export function startTimeRangeProblem(text: string, dataType: DataType | undefined, nowMs: number): string | undefined {
  const ms = Date.parse(text);
  const latest = nowMs + START_TIME_CLOCK_SKEW_SECONDS * 1000;
  if (ms > latest) return `is in the future (${new Date(ms).toISOString()}; now is ${new Date(nowMs).toISOString()}): a collector collects what already happened, so give a time up to now`;
  const floor = startTimeFloorMs(dataType);
  if (ms < floor) {
    const what = dataType && START_TIME_FLOORS[dataType] ? `${dataType} cannot hold anything older` : "no OpenAI API data is older";
    return `must not be before ${new Date(floor).toISOString()} (${what}); got ${text}`;
  }
  return undefined;
}
