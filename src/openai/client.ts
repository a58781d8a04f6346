/**
 * The OpenAI HTTP client (axios). One instance per process; the API key is passed per call
 * because each collector has its own. Brief faults are retried here with jitter; long waits
 * (a Retry-After beyond a couple of seconds) are reported to the caller as failures instead of
 * being slept through, so a durable timer can wait without holding a worker.
 */
import http from "node:http";
import https from "node:https";
import axios, { type AxiosInstance } from "axios";
import { redactSecrets } from "../redact";
import { classifyHttpFailure, classifyTransportFailure, OpenAIError, type FailedRequest, type OpenAIFailure } from "./failures";
import { MalformedResponseError, parseListPage, parseObject } from "./parse";
import { encodeQuery, type QueryValue } from "./query";
import { RateLimiter } from "./rateLimiter";
import type { AuditLogEvent, ChatCompletion, DataType, JsonObject, ListPage } from "./types";
import { parseUsagePage, usageQueryParams, type UsagePage, type UsageQuery } from "./usagePage";
import { SERIES } from "../usage/series";

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 45_000;
/** Default attempts per call for brief faults (first try included). */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** A server-requested delay up to this long is waited out in place; longer ones are reported. */
export const DEFAULT_MAX_INLINE_DELAY_MS = 2_000;
/** Page size; the documented maximum for audit logs and what Microsoft's connector uses. */
export const PAGE_LIMIT = 100;

/** Construction options. */
export interface OpenAIClientOptions {
  /** API base, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxInlineDelayMs?: number;
  /** Extra CA certificates to trust (local fakes). */
  readonly ca?: string;
  /** Injected for tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests; returns [0, 1). */
  readonly random?: () => number;
  readonly now?: () => number;
  /** Requests per second this client sends at most (OPENAI_MAX_REQUESTS_PER_SECOND); unlimited when absent. */
  readonly maxRequestsPerSecond?: number;
}

/** Per-call options. */
export interface RequestOptions {
  readonly abortSignal?: AbortSignal;
}

/** Query of `GET /organization/audit_logs`. */
export interface AuditLogQuery {
  /** Window start, Unix seconds, inclusive. */
  readonly gte: number;
  /** Window end, Unix seconds, exclusive. */
  readonly lt: number;
  readonly after?: string | undefined;
  readonly limit?: number;
  readonly eventTypes?: readonly string[];
  readonly projectIds?: readonly string[];
}

/** Query of `GET /chat/completions`. */
export interface ChatCompletionQuery {
  readonly order?: "asc" | "desc";
  readonly after?: string | undefined;
  readonly limit?: number;
  readonly model?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

function lowerCaseHeaders(headers: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (headers && typeof headers === "object") {
    for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
      if (typeof value === "string" || typeof value === "number") out[key.toLowerCase()] = String(value);
      else if (Array.isArray(value)) out[key.toLowerCase()] = value.join(", ");
    }
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads audit logs and stored chat completions from the OpenAI API. */
export class OpenAIClient {
  private readonly http: AxiosInstance;
  private readonly basePath: string;
  private readonly maxAttempts: number;
  private readonly maxInlineDelayMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly limiter: RateLimiter | undefined;

  constructor(options: OpenAIClientOptions) {
    const base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.basePath = base.pathname;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.maxInlineDelayMs = options.maxInlineDelayMs ?? DEFAULT_MAX_INLINE_DELAY_MS;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.limiter = options.maxRequestsPerSecond ? new RateLimiter(options.maxRequestsPerSecond) : undefined;
    this.http = axios.create({
      baseURL: base.toString(),
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64, ...(options.ca ? { ca: options.ca } : {}) }),
      headers: { Accept: "application/json", "User-Agent": "openai-sentinel-connector/0.1" },
    });
  }

  /** One page of audit logs in the window [gte, lt). */
  listAuditLogs(apiKey: string, query: AuditLogQuery, options: RequestOptions = {}): Promise<ListPage<AuditLogEvent>> {
    const q = {
      "effective_at": { gte: query.gte, lt: query.lt },
      limit: query.limit ?? PAGE_LIMIT,
      after: query.after,
      "event_types": query.eventTypes,
      "project_ids": query.projectIds,
    };
    return this.list<AuditLogEvent>(apiKey, "auditLogs", "organization/audit_logs", q, query.after, ["type", "effective_at"], options);
  }

  /** One page of stored chat completions. */
  listChatCompletions(apiKey: string, query: ChatCompletionQuery, options: RequestOptions = {}): Promise<ListPage<ChatCompletion>> {
    const q = { order: query.order ?? "asc", after: query.after, limit: query.limit ?? PAGE_LIMIT, model: query.model, metadata: query.metadata };
    return this.list<ChatCompletion>(apiKey, "chatCompletions", "chat/completions", q, query.after, ["created"], options);
  }

  /**
   * One list request for at most one item of `path` (e.g. `organization/audit_logs`): the
   * connection test. Fails with {@link OpenAIError} like every other call.
   */
  probe(apiKey: string, dataType: DataType, path: string, options: RequestOptions = {}): Promise<ListPage<JsonObject & { id: string }>> {
    return this.list(apiKey, dataType, path, { limit: 1 }, undefined, [], options);
  }

  /** One stored chat completion. A missing one fails with kind `notFound`. */
  async getChatCompletion(apiKey: string, id: string, options: RequestOptions = {}): Promise<ChatCompletion> {
    const text = await this.request(apiKey, { dataType: "chatCompletions", operation: `GET ${this.basePath}chat/completions/${id}` }, `chat/completions/${encodeURIComponent(id)}`, options);
    return this.parse(() => parseObject<ChatCompletion>(text), `GET chat/completions/${id}`);
  }

  /** One page of the messages stored with a completion. */
  listChatCompletionMessages(apiKey: string, id: string, query: { after?: string; limit?: number; order?: "asc" | "desc" } = {}, options: RequestOptions = {}): Promise<ListPage<JsonObject & { id: string }>> {
    const q = { order: query.order ?? "asc", after: query.after, limit: query.limit ?? PAGE_LIMIT };
    return this.list(apiKey, "chatCompletions", `chat/completions/${encodeURIComponent(id)}/messages`, q, query.after, [], options);
  }

  /**
   * One page of time buckets of a usage family or of costs (`GET /organization/usage/{family}`,
   * `GET /organization/costs`), grouped by every dimension the endpoint offers. A page that
   * contradicts itself or the query fails like a malformed one (src/openai/usagePage.ts).
   */
  listUsageBuckets(apiKey: string, dataType: DataType, query: UsageQuery, options: RequestOptions = {}): Promise<UsagePage> {
    const path = SERIES[query.series].path;
    const request: FailedRequest = { dataType, operation: `GET ${this.basePath}${path}`, cursor: query.page };
    return this.getParsed(apiKey, request, `${path}?${encodeQuery(usageQueryParams(query))}`, (text) => parseUsagePage(text, query), options);
  }

  private list<T extends JsonObject>(
    apiKey: string, dataType: DataType, path: string, query: Record<string, QueryValue>, cursor: string | undefined,
    requiredFields: readonly string[], options: RequestOptions,
  ): Promise<ListPage<T>> {
    const request: FailedRequest = { dataType, operation: `GET ${this.basePath}${path}`, cursor };
    return this.getParsed(apiKey, request, `${path}?${encodeQuery(query)}`, (text) => parseListPage<T>(text, requiredFields), options);
  }

  /** GET `target` and parse the body; a malformed body is retried briefly, then reported as retriable. */
  private async getParsed<T>(apiKey: string, request: FailedRequest, target: string, parse: (text: string) => T, options: RequestOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const text = await this.request(apiKey, request, target, options);
      try {
        return parse(text);
      } catch (error) {
        if (!(error instanceof MalformedResponseError)) throw error;
        // A malformed body is most often a proxy or gateway page: retry briefly, then report.
        const failure: OpenAIFailure = { kind: "retriable", status: 200, message: `${request.operation}: malformed response: ${redactSecrets(error.message, [apiKey])}` };
        if (attempt >= this.maxAttempts) throw new OpenAIError(failure);
        await this.sleep(this.backoffMs(attempt), options.abortSignal);
      }
    }
  }

  private parse<T>(parse: () => T, operation: string): T {
    try {
      return parse();
    } catch (error) {
      throw new OpenAIError({ kind: "retriable", status: 200, message: `${operation}: malformed response: ${(error as Error).message}` });
    }
  }

  /** Sends a GET with brief retries; returns the body text of a 2xx or throws {@link OpenAIError}. */
  private async request(apiKey: string, request: FailedRequest, target: string, options: RequestOptions): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      let failure: OpenAIFailure;
      let requestId: string | undefined;
      try {
        await this.limiter?.take();
        const response = await this.http.get<string>(target, {
          headers: { Authorization: `Bearer ${apiKey}` },
          ...(options.abortSignal ? { signal: options.abortSignal } : {}),
        });
        const headers = lowerCaseHeaders(response.headers);
        requestId = headers["x-request-id"];
        if (response.status >= 200 && response.status < 300) return typeof response.data === "string" ? response.data : String(response.data);
        failure = classifyHttpFailure(request, response.status, headers, safeJson(String(response.data ?? "")), this.now());
      } catch (error) {
        if (options.abortSignal?.aborted) throw new OpenAIError({ kind: "retriable", status: undefined, message: `${request.operation}: aborted` });
        // axios errors carry the request config (and so the Authorization header): keep only code and message.
        const { code, message } = error as { code?: string; message?: string };
        failure = classifyTransportFailure(request, code, redactSecrets(message ?? "unknown error", [apiKey]));
      }
      const safe = { ...failure, message: redactSecrets(failure.message, [apiKey]) } as OpenAIFailure;
      const delay = this.inlineDelay(safe, attempt);
      if (delay === undefined) throw new OpenAIError(safe, requestId);
      await this.sleep(delay, options.abortSignal);
    }
  }

  /** How long to wait before retrying in place, or undefined to report the failure now. */
  private inlineDelay(failure: OpenAIFailure, attempt: number): number | undefined {
    if (attempt >= this.maxAttempts) return undefined;
    if (failure.kind === "retriable") return this.backoffMs(attempt);
    if (failure.kind === "throttled" && !failure.quota) {
      const asked = failure.retryAfterMs ?? this.backoffMs(attempt);
      return asked <= this.maxInlineDelayMs ? asked : undefined;
    }
    return undefined;
  }

  /** Exponential backoff with jitter: ~250 ms, 500 ms, 1 s … capped at 2 s, minus up to 25 %. */
  private backoffMs(attempt: number): number {
    return Math.round(Math.min(250 * 2 ** (attempt - 1), 2_000) * (1 - this.random() * 0.25));
  }
}
