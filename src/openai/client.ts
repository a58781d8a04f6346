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
import { OpenAIError, type FailedRequest } from "./failures";
import { InCallRetry, type RequestOptions } from "./inCallRetry";
import { checkPage, type PageRequest } from "./paging";
import { parseListPage, parseObject } from "./parse";
import { encodeQuery, type QueryValue } from "./query";
import type { AuditLogEvent, ChatCompletion, DataType, JsonObject, ListPage } from "./types";
import { parseUsagePage, usageQueryParams, type UsagePage, type UsageQuery } from "./usagePage";
import { SERIES } from "../usage/series";

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 45_000;
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_INLINE_DELAY_MS, type RequestOptions } from "./inCallRetry";
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
  /**
   * Only tenant-scoped events (`tenant_only=true`); without it the endpoint lists organization
   * events only (spec: `tenant_only` of `GET /organization/audit_logs`). An organization without a
   * tenant, or a key without the right, is refused with 400/403/404.
   */
  readonly tenantOnly?: boolean;
}

/** Query of `GET /chat/completions`. */
export interface ChatCompletionQuery {
  readonly order?: "asc" | "desc";
  readonly after?: string | undefined;
  readonly limit?: number;
  readonly model?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * `created` second of the `after` completion as the caller listed it (not sent): the page must
   * continue the `created` order from it (src/openai/createdOrder.ts).
   */
  readonly afterCreated?: number | null;
}

/** Reads audit logs and stored chat completions from the OpenAI API. */
export class OpenAIClient {
  private readonly http: AxiosInstance;
  private readonly basePath: string;
  private readonly retry: InCallRetry;

  constructor(options: OpenAIClientOptions) {
    const base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.basePath = base.pathname;
    this.retry = new InCallRetry(options);
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
      "tenant_only": query.tenantOnly ? true : undefined,
    };
    return this.list<AuditLogEvent>(apiKey, "auditLogs", "organization/audit_logs", q, { after: query.after, effectiveAt: { gte: query.gte, lt: query.lt } }, ["type", "effective_at"], options);
  }

  /**
   * One page of stored chat completions. A page out of `created` order (from `afterCreated` on) is
   * retried briefly, then fails as a retriable {@link OpenAIError}: never returned.
   */
  listChatCompletions(apiKey: string, query: ChatCompletionQuery, options: RequestOptions = {}): Promise<ListPage<ChatCompletion>> {
    const order = query.order ?? "asc";
    const q = { order, after: query.after, limit: query.limit ?? PAGE_LIMIT, model: query.model, metadata: query.metadata };
    const afterCreated = query.after === undefined ? null : query.afterCreated ?? null;
    return this.list<ChatCompletion>(apiKey, "chatCompletions", "chat/completions", q, { after: query.after, createdOrder: { order, afterCreated } }, ["created"], options);
  }

  /**
   * One list request for at most one item of `path` (e.g. `organization/audit_logs`): the
   * connection test. Fails with {@link OpenAIError} like every other call.
   */
  probe(apiKey: string, dataType: DataType, path: string, options: RequestOptions = {}): Promise<ListPage<JsonObject & { id: string }>> {
    return this.list(apiKey, dataType, path, { limit: 1 }, {}, [], options);
  }

  /** One stored chat completion. A missing one fails with kind `notFound`. */
  async getChatCompletion(apiKey: string, id: string, options: RequestOptions = {}): Promise<ChatCompletion> {
    const text = await this.request(apiKey, { dataType: "chatCompletions", operation: `GET ${this.basePath}chat/completions/${id}` }, `chat/completions/${encodeURIComponent(id)}`, options);
    return this.parse(() => parseObject<ChatCompletion>(text), `GET chat/completions/${id}`, apiKey);
  }

  /** One page of the messages stored with a completion. */
  listChatCompletionMessages(apiKey: string, id: string, query: { after?: string; limit?: number; order?: "asc" | "desc" } = {}, options: RequestOptions = {}): Promise<ListPage<JsonObject & { id: string }>> {
    const q = { order: query.order ?? "asc", after: query.after, limit: query.limit ?? PAGE_LIMIT };
    return this.list(apiKey, "chatCompletions", `chat/completions/${encodeURIComponent(id)}/messages`, q, { after: query.after }, [], options);
  }

  /**
   * One page of time buckets of a usage family or of costs (`GET /organization/usage/{family}`,
   * `GET /organization/costs`), grouped by every dimension the endpoint offers. A page that
   * contradicts itself or the query fails like a malformed one (src/openai/usagePage.ts).
   */
  listUsageBuckets(apiKey: string, dataType: DataType, query: UsageQuery, options: RequestOptions = {}): Promise<UsagePage> {
    const path = SERIES[query.series].path;
    const request: FailedRequest = { dataType, operation: `GET ${this.basePath}${path}`, cursor: query.page };
    const target = `${path}?${encodeQuery(usageQueryParams(query))}`;
    return this.retry.parsed(() => this.request(apiKey, request, target, options), (text) => parseUsagePage(text, query), request.operation, apiKey, options);
  }

  /**
   * One list page, parsed and checked against what was asked (`asked`): a malformed or
   * self-contradicting page (see paging.ts) is retried briefly, then thrown as a retriable
   * {@link OpenAIError} — never returned as an empty or final page.
   */
  private async list<T extends JsonObject & { id: string }>(
    apiKey: string, dataType: DataType, path: string, query: Record<string, QueryValue>, asked: PageRequest,
    requiredFields: readonly string[], options: RequestOptions,
  ): Promise<ListPage<T>> {
    const target = `${path}?${encodeQuery(query)}`;
    const request: FailedRequest = { dataType, operation: `GET ${this.basePath}${path}`, cursor: asked.after ?? undefined };
    // A malformed or self-contradicting page is retried briefly in the call, then reported as a retriable failure.
    return this.retry.parsed(() => this.request(apiKey, request, target, options), (text) => {
      const page = parseListPage<T>(text, requiredFields);
      checkPage(page, asked);
      return page;
    }, request.operation, apiKey, options);
  }

  private parse<T>(parse: () => T, operation: string, apiKey: string): T {
    try {
      return parse();
    } catch (error) {
      throw new OpenAIError({ kind: "retriable", status: 200, message: redactSecrets(`${operation}: malformed response: ${(error as Error).message}`, [apiKey]) });
    }
  }

  /** Sends a GET with brief retries; returns the body text of a 2xx or throws {@link OpenAIError}. */
  private request(apiKey: string, request: FailedRequest, target: string, options: RequestOptions): Promise<string> {
    return this.retry.getText(this.http, apiKey, request, target, options);
  }
}
