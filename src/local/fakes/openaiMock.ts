/**
 * A local OpenAI API faithful to the official spec for the endpoints this app reads:
 * audit logs (ConversationCursorPage: `after` = body `last_id`) and stored chat completions
 * (CursorPage: `after` = last item id), with filters, both possible audit sort orders, both
 * possible answers to a deleted `after` id, rate limiting and fault injection; and the usage and
 * costs endpoints, from a ledger that every stored completion adds to (usageLedger.ts).
 */
import type http from "node:http";
import { eventTypeScope } from "../../audit/eventTypes";
import type { AuditLogEvent, ChatCompletion } from "../../openai/types";
import type { ComplianceMock } from "./complianceMock";
import { bearer, listen, sendJson, type RunningServer } from "./server";
import { SortedStore } from "./sortedStore";
import { completionUsage, DEFAULT_ATTRIBUTION, seriesOfPath, UsageLedger, type UsageAttribution } from "./usageLedger";
import type { TestTls } from "./tls";

/** A fault the next matching request(s) get. */
export type Fault =
  | { readonly kind: "status"; readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  | { readonly kind: "reset" }
  | { readonly kind: "malformed"; readonly body?: string }
  | { readonly kind: "delay"; readonly ms: number };

/** Mock behaviour switches. */
export interface OpenAIMockOptions {
  readonly adminKey: string;
  readonly projectKey: string;
  /** Sort order of audit logs (undocumented upstream). Default newest first. */
  readonly auditOrder?: "desc" | "asc";
  /** Answer to `after=<deleted id>` on chat completions. Default 404. */
  readonly deletedAfter?: "404" | "emptyPage";
  /** Latency added to every request. */
  readonly latencyMs?: number;
  /** Requests per second before 429 (with Retry-After). Unlimited when absent. */
  readonly rateLimitPerSecond?: number;
  readonly tls?: TestTls;
  readonly port?: number;
  /**
   * How `tenant_only=true` is answered: served (default), or refused with this status and message
   * (an organization without a tenant, or a key without the right).
   */
  readonly tenantOnly?: "served" | { readonly status: number; readonly message: string };
  /** The mock's clock (virtual in scenario tests); decides which late events are visible yet. */
  readonly now?: () => number;
  /**
   * Audit logging switched off in the organization. OpenAI documents no answer for this
   * (docs/openai-api.md §8.9); the mock answers 403 with a message that says so.
   */
  readonly auditLoggingDisabled?: boolean;
  /** Keep every request in `requests` (tests ask for it); otherwise only `served` counts them, so a long run stays flat. */
  readonly keepRequests?: boolean;
  /** Put a refused key in full into the 401 message, as some gateways do (redaction tests); masked otherwise, as OpenAI does. */
  readonly echoRejectedKey?: boolean;
  /** Who each stored completion's usage is billed to (project, API key, user); one of each by default. */
  readonly usageAttribution?: UsageAttribution;
}

/** What the mock saw of one request (never the key itself). */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly status: number;
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

/** First position in `audit` (sorted by effective_at) at or after `seconds`. */
function lowerBound(audit: readonly AuditLogEvent[], seconds: number): number {
  let lo = 0, hi = audit.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (audit[mid]!.effective_at < seconds) lo = mid + 1; else hi = mid; }
  return lo;
}

function maskKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 3)}${"*".repeat(8)}${key.slice(-4)}` : "****";
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  return v === null ? undefined : Number(v);
}

/** The running mock: a server plus its data and switches. */
export class OpenAIMock {
  /** Requests seen, when `keepRequests` is set. */
  readonly requests: SeenRequest[] = [];
  /** Requests answered (all, whether kept or not). */
  served = 0;
  /** Called before each request is answered (tests use it to change data at an exact moment). */
  onRequest: ((path: string, query: URLSearchParams) => void) | undefined;
  /** Called after each request was answered. */
  onServed: ((request: SeenRequest) => void) | undefined;
  /**
   * Rewrites each stored-completions list page before it is sent (tests: an upstream whose pages
   * contradict themselves, or whose `created` values are odd). Gets a copy it may change.
   */
  rewriteCompletionsPage: ((query: URLSearchParams, page: { data: ChatCompletion[]; has_more: boolean }) => unknown) | undefined;
  private readonly audit = new SortedStore<AuditLogEvent>((e) => e.effective_at);
  private readonly completions = new SortedStore<ChatCompletion>((c) => c.created);
  private readonly messages = new Map<string, Array<Record<string, unknown>>>();
  private readonly faults: Array<{ fault: Fault; match: (path: string) => boolean }> = [];
  /** Usage and costs (`/organization/usage/*`, `/organization/costs`); stored completions add to it. */
  readonly usage = new UsageLedger();
  private server: RunningServer | undefined;
  private readonly visibleAt = new Map<string, number>();
  private windowStart = 0;
  private windowCount = 0;
  options: OpenAIMockOptions;
  /** The ChatGPT Compliance API served under `/v1/compliance/` (src/local/fakes/complianceMock.ts). */
  compliance: ComplianceMock | undefined;

  constructor(options: OpenAIMockOptions) {
    this.options = options;
  }

  /** Base URL including `/v1`. */
  get baseUrl(): string {
    if (!this.server) throw new Error("mock not started");
    return `${this.server.url}/v1`;
  }

  async start(): Promise<this> {
    this.server = await listen((req, res) => void this.handle(req, res), this.options.tls, this.options.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** Adds audit events, optionally visible only from `visibleAtMs` on. */
  addAuditEvents(events: readonly AuditLogEvent[], visibleAtMs?: number): void {
    if (visibleAtMs !== undefined) for (const e of events) this.visibleAt.set(e.id, visibleAtMs);
    this.audit.add(events);
  }

  /** Adds stored completions, optionally visible only from `visibleAtMs` on. */
  addCompletions(completions: readonly ChatCompletion[], visibleAtMs?: number): void {
    if (visibleAtMs !== undefined) for (const c of completions) this.visibleAt.set(c.id, visibleAtMs);
    this.completions.add(completions);
    this.usage.add(completions.map((c) => completionUsage(c, this.options.usageAttribution ?? DEFAULT_ATTRIBUTION, visibleAtMs)));
  }

  /** Deletes a stored completion, as `DELETE /chat/completions/{id}` does. */
  deleteCompletion(id: string): boolean {
    return this.completions.delete(id);
  }

  /** Every stored completion id, oldest first. */
  completionIds(): string[] {
    return this.completions.sorted().map((c) => c.id);
  }

  /** Queues `fault` for the next `times` requests whose path contains `pathPart`. */
  injectFault(fault: Fault, times = 1, pathPart = ""): void {
    for (let i = 0; i < times; i++) this.faults.push({ fault, match: (p) => p.includes(pathPart) });
  }

  private visible(id: string): boolean {
    const at = this.visibleAt.get(id);
    return at === undefined || at <= (this.options.now ?? Date.now)();
  }

  /** Every audit event id the mock holds. */
  auditIds(): string[] {
    return this.audit.sorted().map((e) => e.id);
  }

  private takeFault(path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.match(path));
    return index < 0 ? undefined : this.faults.splice(index, 1)[0]!.fault;
  }

  private rateLimited(): boolean {
    const limit = this.options.rateLimitPerSecond;
    if (limit === undefined) return false;
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.windowStart) { this.windowStart = second; this.windowCount = 0; }
    return ++this.windowCount > limit;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://mock");
    const path = url.pathname;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const seen = { method: req.method ?? "GET", path, query: url.searchParams, status };
      this.served++;
      if (this.options.keepRequests) this.requests.push(seen);
      this.onServed?.(seen);
      sendJson(req, res, status, body, { "x-request-id": `req_mock_${this.served}`, ...headers });
    };
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    this.onRequest?.(path, url.searchParams);

    const fault = this.takeFault(path);
    if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === "reset") { this.served++; if (this.options.keepRequests) this.requests.push({ method: req.method ?? "GET", path, query: url.searchParams, status: 0 }); req.socket.destroy(); return; }
    if (fault?.kind === "malformed") { reply(200, fault.body ?? '{"object":"list","data":[{"id":'); return; }
    if (fault?.kind === "status") { reply(fault.status, fault.body ?? errorBody("injected fault", "server_error", null), fault.headers); return; }
    if (this.rateLimited()) { reply(429, errorBody("Rate limit reached for requests", "requests", "rate_limit_exceeded"), { "retry-after": "1", "x-ratelimit-reset-requests": "1s" }); return; }

    if (this.compliance && path.startsWith("/v1/compliance/")) return this.compliance.handle(req, url, reply);
    const key = bearer(req);
    const auditPath = path === "/v1/organization/audit_logs";
    const usageSeries = seriesOfPath(path);
    const expected = auditPath || usageSeries ? this.options.adminKey : this.options.projectKey;
    if (!key) { reply(401, errorBody("You didn't provide an API key.", "invalid_request_error", null)); return; }
    if (key !== expected) { reply(401, errorBody(`Incorrect API key provided: ${this.options.echoRejectedKey ? key : maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", "invalid_api_key")); return; }

    if (auditPath && this.options.auditLoggingDisabled) { reply(403, errorBody("Audit logging is not enabled for this organization.", "invalid_request_error", null)); return; }
    if (req.method === "GET" && auditPath) return void this.listAudit(url.searchParams, reply);
    if (req.method === "GET" && usageSeries) {
      const answer = this.usage.answer(usageSeries, url.searchParams, (this.options.now ?? Date.now)());
      return void reply(answer.status, answer.body);
    }
    if (req.method === "GET" && path === "/v1/chat/completions") return void this.listCompletions(url.searchParams, reply);
    const one = /^\/v1\/chat\/completions\/([^/]+)(\/messages)?$/.exec(path);
    if (one) {
      const id = decodeURIComponent(one[1]!);
      const index = this.completions.indexOf(id);
      if (index === undefined) { reply(404, errorBody(`No chat completion found with id '${id}'.`, "invalid_request_error", null)); return; }
      if (req.method === "DELETE" && !one[2]) { this.deleteCompletion(id); reply(200, { object: "chat.completion.deleted", id, deleted: true }); return; }
      if (req.method === "GET" && !one[2]) { reply(200, this.completions.sorted()[index]); return; }
      if (req.method === "GET") { reply(200, this.messagePage(id, url.searchParams)); return; }
    }
    reply(404, errorBody(`Invalid URL (${req.method} ${path})`, "invalid_request_error", null));
  }

  private listAudit(query: URLSearchParams, reply: (s: number, b: unknown) => void): void {
    const audit = this.audit.sorted();
    const limit = intParam(query, "limit") ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) { reply(400, errorBody("limit must be between 1 and 100", "invalid_request_error", null, "limit")); return; }
    // [gt] and [lte] are the same bounds one second apart.
    const gt = intParam(query, "effective_at[gt]"), lte = intParam(query, "effective_at[lte]");
    const gte = intParam(query, "effective_at[gte]") ?? (gt === undefined ? -Infinity : gt + 1);
    const lt = intParam(query, "effective_at[lt]") ?? (lte === undefined ? Infinity : lte + 1);
    const types = new Set(query.getAll("event_types[]"));
    // Tenant-scoped events are listed only with tenant_only=true, and then only they (spec: tenant_only).
    const tenantOnly = query.get("tenant_only") === "true";
    const refusal = this.options.tenantOnly;
    if (tenantOnly && refusal !== undefined && refusal !== "served") { reply(refusal.status, errorBody(refusal.message, "invalid_request_error", null, "tenant_only")); return; }
    const nonTenant = [...types].find((t) => eventTypeScope(t) !== "tenant");
    if (tenantOnly && nonTenant !== undefined) { reply(400, errorBody(`With tenant_only, all event types must be tenant-scoped: '${nonTenant}' is not.`, "invalid_request_error", null, "event_types")); return; }
    const scope = tenantOnly ? "tenant" : "organization";
    const projects = new Set(query.getAll("project_ids[]"));
    const lo = lowerBound(audit, gte), hi = lowerBound(audit, lt);
    const desc = (this.options.auditOrder ?? "desc") === "desc";
    const after = query.get("after");
    let position: number;
    if (after) {
      const at = this.audit.indexOf(after);
      if (at === undefined || at < lo || at >= hi || eventTypeScope(audit[at]!.type) !== scope) { reply(400, errorBody(`Invalid 'after': no audit log ${after} in this query.`, "invalid_request_error", null, "after")); return; }
      position = desc ? at - 1 : at + 1;
    } else position = desc ? hi - 1 : lo;
    const data: AuditLogEvent[] = [];
    const matches = (e: AuditLogEvent) => this.visible(e.id) && eventTypeScope(e.type) === scope && (types.size === 0 || types.has(e.type)) && (projects.size === 0 || projects.has(String(e.project?.id)));
    while (position >= lo && position < hi && data.length < limit) {
      const e = audit[position]!;
      if (matches(e)) data.push(e);
      position += desc ? -1 : 1;
    }
    let hasMore = false;
    for (let p = position; p >= lo && p < hi; p += desc ? -1 : 1) if (matches(audit[p]!)) { hasMore = true; break; }
    reply(200, { object: "list", data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore });
  }

  private listCompletions(query: URLSearchParams, reply: (s: number, b: unknown) => void): void {
    const completions = this.completions.sorted();
    const limit = intParam(query, "limit") ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) { reply(400, errorBody("limit must be between 1 and 100", "invalid_request_error", null, "limit")); return; }
    const desc = query.get("order") === "desc";
    const model = query.get("model");
    const metadata = [...query.entries()].filter(([k]) => k.startsWith("metadata[")).map(([k, v]) => [k.slice(9, -1), v] as const);
    const after = query.get("after");
    let position = desc ? completions.length - 1 : 0;
    if (after) {
      const at = this.completions.indexOf(after);
      if (at === undefined) {
        if ((this.options.deletedAfter ?? "404") === "404") { reply(404, errorBody(`Chat completion ${after} not found.`, "invalid_request_error", null, "after")); return; }
        reply(200, { object: "list", data: [], first_id: null, last_id: null, has_more: false });
        return;
      }
      position = desc ? at - 1 : at + 1;
    }
    const matches = (c: ChatCompletion) => this.visible(c.id) && (!model || c.model === model) && metadata.every(([k, v]) => (c.metadata as Record<string, string> | null)?.[k] === v);
    const data: ChatCompletion[] = [];
    while (position >= 0 && position < completions.length && data.length < limit) {
      const c = completions[position]!;
      if (matches(c)) data.push(c);
      position += desc ? -1 : 1;
    }
    let hasMore = false;
    for (let p = position; p >= 0 && p < completions.length; p += desc ? -1 : 1) if (matches(completions[p]!)) { hasMore = true; break; }
    const page = { object: "list", data, first_id: data[0]?.id ?? "", last_id: data[data.length - 1]?.id ?? "", has_more: hasMore };
    reply(200, this.rewriteCompletionsPage ? this.rewriteCompletionsPage(query, { ...page, data: data.map((c) => ({ ...c })) }) : page);
  }

  private messagePage(id: string, query: URLSearchParams) {
    const all = this.messages.get(id) ?? [{ id: `${id}-0`, role: "user", content: "stored prompt", name: null, content_parts: null }];
    const after = query.get("after");
    const start = after ? all.findIndex((m) => m.id === after) + 1 : 0;
    const limit = intParam(query, "limit") ?? 20;
    const data = all.slice(start, start + limit);
    return { object: "list", data, first_id: data[0]?.id ?? "", last_id: data[data.length - 1]?.id ?? "", has_more: start + limit < all.length };
  }
}
