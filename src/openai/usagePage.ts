/**
 * The usage and costs endpoints' paging, as pure functions: the query one page request sends, and
 * a strict parser of `UsageResponse` pages (openai-openapi.yaml `components.schemas.UsageResponse`,
 * `UsageTimeBucket`): `{object: "page", data: [{object: "bucket", start_time, end_time, results}],
 * has_more, next_page}`.
 *
 * A page that contradicts itself or the query is an error, never a short or empty page: buckets
 * outside the window asked for, of another width, not aligned to it, out of order or repeated;
 * `has_more` without a `next_page`, or a `next_page` with `has_more: false`; a group twice in a bucket.
 */
import { MalformedResponseError } from "./parse";
import type { QueryValue } from "./query";
import type { JsonObject } from "./types";
import { BUCKET_SECONDS, groupKey, pageLimit, SERIES, type BucketWidth, type SeriesName } from "../usage/series";

/** One page request of a usage family or the costs endpoint. */
export interface UsageQuery {
  readonly series: SeriesName;
  readonly bucketWidth: BucketWidth;
  /** First bucket start, Unix seconds, inclusive (`start_time`); a multiple of the width. */
  readonly startTime: number;
  /** End, Unix seconds, exclusive (`end_time`); a multiple of the width. */
  readonly endTime: number;
  /** `next_page` of the previous page of the same query; absent for the first page. */
  readonly page?: string | undefined;
  /** Buckets per page; the documented maximum for the width when absent. */
  readonly limit?: number;
}

/** One time bucket with its results (one result per group). */
export interface UsageBucket {
  /** Unix seconds, inclusive. */
  readonly startTime: number;
  /** Unix seconds, exclusive. */
  readonly endTime: number;
  readonly results: readonly JsonObject[];
}

/** A parsed page. */
export interface UsagePage {
  readonly buckets: readonly UsageBucket[];
  readonly hasMore: boolean;
  /** The cursor of the next page; null on the last one. */
  readonly nextPage: string | null;
}

/**
 * Query parameters of one page: grouped by every dimension the endpoint offers (so one result is
 * one group), the widest page the width allows.
 */
export function usageQueryParams(query: UsageQuery): Record<string, QueryValue> {
  return {
    "start_time": query.startTime,
    "end_time": query.endTime,
    "bucket_width": query.bucketWidth,
    "group_by": SERIES[query.series].groupBy,
    limit: query.limit ?? pageLimit(query.series, query.bucketWidth),
    page: query.page,
  };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Parses one page of `query`. Throws {@link MalformedResponseError} naming what is wrong when the
 * body is not a `UsageResponse` or contradicts itself or the query.
 */
export function parseUsagePage(text: string, query: UsageQuery): UsagePage {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MalformedResponseError(`response is not JSON: ${excerpt(text)}`);
  }
  if (!isObject(body)) throw new MalformedResponseError(`response is not a page object: ${excerpt(text)}`);
  if (!Array.isArray(body.data)) throw new MalformedResponseError(`response has no data array: ${excerpt(text)}`);
  if (typeof body.has_more !== "boolean") throw new MalformedResponseError(`response has no boolean has_more: ${excerpt(text)}`);
  const nextPage = body.next_page === undefined || body.next_page === null || body.next_page === "" ? null : body.next_page;
  if (nextPage !== null && typeof nextPage !== "string") throw new MalformedResponseError("next_page is not a string");
  if (body.has_more && nextPage === null) throw new MalformedResponseError("the page says has_more but gives no next_page");
  if (!body.has_more && nextPage !== null) throw new MalformedResponseError(`the page says has_more: false but gives next_page ${nextPage}`);

  const width = BUCKET_SECONDS[query.bucketWidth];
  let previousEnd = query.startTime;
  const buckets = body.data.map((item: unknown, i): UsageBucket => {
    if (!isObject(item)) throw new MalformedResponseError(`data[${i}] is not a bucket object`);
    const { start_time: start, end_time: end, results } = item;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) throw new MalformedResponseError(`data[${i}] has no integer start_time and end_time`);
    const s = start as number, e = end as number;
    if (e - s !== width || s % width !== 0) throw new MalformedResponseError(`data[${i}] [${s}, ${e}) is not a ${query.bucketWidth} bucket`);
    if (s < previousEnd) throw new MalformedResponseError(`data[${i}] starts at ${s}, before the end of what came before it (${previousEnd}): buckets out of order or repeated`);
    if (e > query.endTime) throw new MalformedResponseError(`data[${i}] [${s}, ${e}) lies outside the window [${query.startTime}, ${query.endTime}) asked for`);
    if (!Array.isArray(results)) throw new MalformedResponseError(`data[${i}] has no results array`);
    const groups = new Set<string>();
    results.forEach((r: unknown, j) => {
      if (!isObject(r)) throw new MalformedResponseError(`data[${i}].results[${j}] is not an object`);
      const group = groupKey(query.series, r);
      // Grouped by every dimension, a group appears once per bucket; twice would count it twice.
      if (groups.has(group)) throw new MalformedResponseError(`data[${i}] has two results for the group ${group}`);
      groups.add(group);
    });
    previousEnd = e;
    return { startTime: s, endTime: e, results: results as JsonObject[] };
  });
  return { buckets, hasMore: body.has_more, nextPage };
}
