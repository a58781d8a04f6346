/**
 * The OpenAI mock's usage and costs: a ledger of usage records (every stored completion adds one,
 * tests and the demo add others for every family) and cost adjustments, served the way
 * `GET /organization/usage/{family}` and `GET /organization/costs` answer (openai-openapi.yaml,
 * `UsageResponse`): time buckets of the width asked for, grouped by the dimensions asked for, paged
 * by `limit` buckets with `next_page`. Costs are priced from the same usage, so usage, costs and
 * stored completions agree.
 *
 * Records can become visible after their time (`visibleAtMs`): a bucket that is already closed then
 * changes, which is how the real endpoints revise buckets after they close. A group whose counts all
 * sum to zero is left out of its bucket, as the API leaves out groups without usage.
 */
import type { ChatCompletion, JsonObject } from "../../openai/types";
import { BUCKET_SECONDS, pageLimit, SERIES, USAGE_FAMILIES, type BucketWidth, type GroupDimension, type SeriesName, type UsageFamily } from "../../usage/series";

/** One usage record: what one request (or a batch of them) used, at a time, in a group. */
export interface UsageRecord {
  readonly id: string;
  readonly family: UsageFamily;
  /** Unix seconds. */
  readonly at: number;
  /** Group values (project_id, user_id, api_key_id, model, …); absent ones are null in results. */
  readonly group: Readonly<Partial<Record<GroupDimension, string | boolean>>>;
  /** Counts by result field name (input_tokens, num_model_requests, images, …). */
  readonly counts: Readonly<Record<string, number>>;
  /** Visible only from this wall time on (ms); always when absent. */
  readonly visibleAtMs?: number;
}

/** A cost line added on top of the priced usage (a credit, a correction, a fee). */
export interface CostAdjustment {
  readonly id: string;
  /** Unix seconds. */
  readonly at: number;
  readonly lineItem: string;
  readonly projectId?: string;
  readonly apiKeyId?: string;
  /** In `currency`; negative for a credit. */
  readonly amount: number;
  readonly visibleAtMs?: number;
}

/** Who a stored completion's usage is attributed to. */
export type UsageAttribution = (completion: ChatCompletion) => { readonly projectId: string; readonly apiKeyId: string; readonly userId: string };

/** Default attribution: one project, one key, one user. */
export const DEFAULT_ATTRIBUTION: UsageAttribution = () => ({ projectId: "proj_default", apiKeyId: "key_default", userId: "user-default" });

/** USD per million tokens (input, cached input, output), per image, per 1,000 characters, per minute, per 1,000 calls. Demo prices, not OpenAI's. */
const PRICES: Record<string, { input?: number; cached?: number; output?: number; unit?: number }> = {
  "gpt-4o-2024-08-06": { input: 2.5, cached: 1.25, output: 10 },
  "gpt-4o-mini-2024-07-18": { input: 0.15, cached: 0.075, output: 0.6 },
  "o3-mini-2025-01-31": { input: 1.1, cached: 0.55, output: 4.4 },
  "gpt-4.1-2025-04-14": { input: 2, cached: 0.5, output: 8 },
  "text-embedding-3-small": { input: 0.02 },
  "dall-e-3": { unit: 0.04 },
  "tts-1": { unit: 0.015 },
  "whisper-1": { unit: 0.006 },
};
const DEFAULT_PRICE = { input: 1, cached: 0.5, output: 4, unit: 0.01 };

interface PricedLine { readonly lineItem: string; readonly amount: number; readonly quantity: number; readonly unit: string | null }

/** The cost lines a usage record bills. */
export function priceOf(record: UsageRecord): PricedLine[] {
  const model = typeof record.group.model === "string" ? record.group.model : "unknown";
  const price = { ...DEFAULT_PRICE, ...PRICES[model] };
  const c = (field: string) => record.counts[field] ?? 0;
  const tokens = (lineItem: string, quantity: number, perMillion: number): PricedLine => ({ lineItem, amount: (quantity * perMillion) / 1e6, quantity, unit: "tokens" });
  switch (record.family) {
    case "completions":
      return [tokens(`${model}, input`, c("input_tokens") - c("input_cached_tokens"), price.input), tokens(`${model}, cached input`, c("input_cached_tokens"), price.cached), tokens(`${model}, output`, c("output_tokens"), price.output)];
    case "embeddings": return [tokens(`${model}, input`, c("input_tokens"), price.input)];
    case "images": return [{ lineItem: `${model}, images`, amount: c("images") * price.unit, quantity: c("images"), unit: "images" }];
    case "audio_speeches": return [{ lineItem: `${model}, characters`, amount: (c("characters") / 1_000) * price.unit, quantity: c("characters"), unit: "characters" }];
    case "audio_transcriptions": return [{ lineItem: `${model}, duration`, amount: (c("seconds") / 60) * price.unit, quantity: c("seconds"), unit: "duration_seconds" }];
    case "web_search_calls": return [{ lineItem: "web search tool calls", amount: c("num_requests") * 0.01, quantity: c("num_requests"), unit: null }];
    case "file_search_calls": return [{ lineItem: "file search tool calls", amount: c("num_requests") * 0.0025, quantity: c("num_requests"), unit: null }];
    case "code_interpreter_sessions": return [{ lineItem: "code interpreter sessions", amount: c("num_sessions") * 0.03, quantity: c("num_sessions"), unit: null }];
    default: return [];
  }
}

/** The usage record of one stored completion. */
export function completionUsage(completion: ChatCompletion, attribution: UsageAttribution, visibleAtMs?: number): UsageRecord {
  const usage = (completion.usage ?? {}) as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const cached = n((usage.prompt_tokens_details as Record<string, unknown> | undefined)?.cached_tokens);
  const who = attribution(completion);
  return {
    id: `usage-${completion.id}`, family: "completions", at: completion.created,
    group: { project_id: who.projectId, user_id: who.userId, api_key_id: who.apiKeyId, model: completion.model ?? "unknown", batch: false, service_tier: typeof completion.service_tier === "string" ? completion.service_tier : "default" },
    counts: { input_tokens: n(usage.prompt_tokens), output_tokens: n(usage.completion_tokens), input_cached_tokens: cached, input_uncached_tokens: n(usage.prompt_tokens) - cached, input_text_tokens: n(usage.prompt_tokens) - cached, output_text_tokens: n(usage.completion_tokens), num_model_requests: 1 },
    ...(visibleAtMs !== undefined ? { visibleAtMs } : {}),
  };
}

/** An answer of the ledger: status and JSON body. */
export interface LedgerAnswer {
  readonly status: number;
  readonly body: unknown;
}

function errorBody(message: string, param: string | null) {
  return { error: { message, type: "invalid_request_error", param, code: null } };
}

function lowerBound<T>(items: readonly T[], at: (item: T) => number, seconds: number): number {
  let lo = 0, hi = items.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (at(items[mid]!) < seconds) lo = mid + 1; else hi = mid; }
  return lo;
}

const round = (value: number) => Math.round(value * 1e9) / 1e9;

/** The mock's usage and costs. */
export class UsageLedger {
  private records: UsageRecord[] = [];
  private adjustments: CostAdjustment[] = [];
  private sorted = true;

  /** Adds usage records. */
  add(records: readonly UsageRecord[]): void {
    for (const r of records) this.records.push(r);
    this.sorted = false;
  }

  /** Adds cost adjustments. */
  addCostAdjustments(lines: readonly CostAdjustment[]): void {
    for (const l of lines) this.adjustments.push(l);
    this.sorted = false;
  }

  /** Every usage record, oldest first. */
  all(): readonly UsageRecord[] {
    this.sort();
    return this.records;
  }

  private sort(): void {
    if (this.sorted) return;
    const order = (a: { at: number; id: string }, b: { at: number; id: string }) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    this.records.sort(order);
    this.adjustments.sort(order);
    this.sorted = true;
  }

  /**
   * The results of one bucket [start, end) of `series`, grouped by `groupBy`, at wall time `nowMs`.
   * Pure over the ledger: tests compute what the API says with it.
   */
  results(series: SeriesName, start: number, end: number, groupBy: readonly GroupDimension[], nowMs: number): JsonObject[] {
    this.sort();
    const visible = (r: { visibleAtMs?: number }) => r.visibleAtMs === undefined || r.visibleAtMs <= nowMs;
    const from = lowerBound(this.records, (r) => r.at, start), to = lowerBound(this.records, (r) => r.at, end);
    const groups = new Map<string, JsonObject>();
    const groupOf = (values: Partial<Record<GroupDimension, unknown>>, base: () => JsonObject) => {
      const key = JSON.stringify(groupBy.map((d) => values[d] ?? null));
      let result = groups.get(key);
      if (!result) {
        result = base();
        for (const d of SERIES[series].groupBy) result[d] = groupBy.includes(d) ? (values[d] ?? null) : null;
        groups.set(key, result);
      }
      return result;
    };
    if (series === "costs") {
      const add = (values: Partial<Record<GroupDimension, unknown>>, amount: number, quantity: number | null, unit: string | null) => {
        const result = groupOf(values, () => ({ object: SERIES.costs.resultObject, amount: { value: 0, currency: "usd" }, quantity: null, quantity_unit: null }));
        const money = result.amount as { value: number };
        money.value = round(money.value + amount);
        if (groupBy.includes("line_item")) {
          result.quantity = quantity === null ? result.quantity : round(((result.quantity as number | null) ?? 0) + quantity);
          result.quantity_unit = unit;
        }
      };
      for (let i = from; i < to; i++) {
        const r = this.records[i]!;
        if (!visible(r)) continue;
        for (const line of priceOf(r)) add({ project_id: r.group.project_id, api_key_id: r.group.api_key_id, line_item: line.lineItem }, line.amount, line.quantity, line.unit);
      }
      const aFrom = lowerBound(this.adjustments, (a) => a.at, start), aTo = lowerBound(this.adjustments, (a) => a.at, end);
      for (let i = aFrom; i < aTo; i++) {
        const a = this.adjustments[i]!;
        if (visible(a)) add({ project_id: a.projectId, api_key_id: a.apiKeyId, line_item: a.lineItem }, a.amount, null, null);
      }
      return [...groups.values()].filter((r) => (r.amount as { value: number }).value !== 0);
    }
    for (let i = from; i < to; i++) {
      const r = this.records[i]!;
      if (r.family !== series || !visible(r)) continue;
      const result = groupOf(r.group, () => Object.fromEntries([["object", SERIES[series].resultObject], ...SERIES[series].counts.map((f) => [f, 0])]) as JsonObject);
      for (const [field, value] of Object.entries(r.counts)) result[field] = ((result[field] as number | undefined) ?? 0) + value;
    }
    return [...groups.values()].filter((r) => SERIES[series].counts.some((f) => r[f] !== 0));
  }

  /** Answers `GET /v1/organization/usage/<family>` or `/v1/organization/costs` with `query`, at wall time `nowMs`. */
  answer(series: SeriesName, query: URLSearchParams, nowMs: number): LedgerAnswer {
    const info = SERIES[series];
    const int = (name: string) => (query.get(name) === null ? undefined : Number(query.get(name)));
    const start = int("start_time");
    if (start === undefined || !Number.isInteger(start)) return { status: 400, body: errorBody("start_time is required and must be a Unix time in seconds", "start_time") };
    const widthName = (query.get("bucket_width") ?? "1d") as BucketWidth;
    if (!info.widths.includes(widthName)) return { status: 400, body: errorBody(`bucket_width must be one of ${info.widths.join(", ")}`, "bucket_width") };
    const width = BUCKET_SECONDS[widthName];
    const nowSeconds = Math.floor(nowMs / 1000);
    const end = Math.min(int("end_time") ?? nowSeconds, nowSeconds + width);
    const groupBy = [...query.getAll("group_by[]"), ...query.getAll("group_by")] as GroupDimension[];
    const unknown = groupBy.find((g) => !info.groupBy.includes(g));
    if (unknown) return { status: 400, body: errorBody(`group_by value ${unknown} is not supported; use ${info.groupBy.join(", ")}`, "group_by") };
    const maxLimit = pageLimit(series, widthName);
    const limit = int("limit") ?? (series === "costs" ? 7 : { "1m": 60, "1h": 24, "1d": 7 }[widthName]);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) return { status: 400, body: errorBody(`limit must be between 1 and ${maxLimit} for bucket_width ${widthName}`, "limit") };
    const first = Math.floor(start / width) * width;
    const starts: number[] = [];
    for (let s = first; s < end && s <= nowSeconds; s += width) starts.push(s);
    const queryKey = `${series}|${first}|${end}|${widthName}|${[...groupBy].sort().join(",")}`;
    let offset = 0;
    const page = query.get("page");
    if (page) {
      const decoded = decodePage(page);
      if (!decoded || decoded.q !== queryKey) return { status: 400, body: errorBody(`Invalid 'page': ${page} does not continue this query.`, "page") };
      offset = decoded.o;
    }
    const data = starts.slice(offset, offset + limit).map((s) => ({ object: "bucket", start_time: s, end_time: s + width, results: this.results(series, s, s + width, groupBy, nowMs) }));
    const hasMore = offset + limit < starts.length;
    return { status: 200, body: { object: "page", data, has_more: hasMore, next_page: hasMore ? encodePage({ o: offset + limit, q: queryKey }) : null } };
  }
}

function encodePage(value: { o: number; q: string }): string {
  return `page_${Buffer.from(JSON.stringify(value)).toString("base64url")}`;
}

function decodePage(page: string): { o: number; q: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(page.replace(/^page_/, ""), "base64url").toString("utf8")) as { o?: unknown; q?: unknown };
    return typeof value.o === "number" && typeof value.q === "string" ? { o: value.o, q: value.q } : undefined;
  } catch {
    return undefined;
  }
}

/** The series a mock path serves, or undefined for other paths. */
export function seriesOfPath(path: string): SeriesName | undefined {
  if (path === "/v1/organization/costs") return "costs";
  const family = /^\/v1\/organization\/usage\/([a-z_]+)$/.exec(path)?.[1];
  return (USAGE_FAMILIES as readonly string[]).includes(family ?? "") ? (family as UsageFamily) : undefined;
}
