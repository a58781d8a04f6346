/**
 * A local ChatGPT Compliance API (Logs Platform) with the behaviours a collector must survive,
 * served under `/v1/compliance` by the local OpenAI API, plus the separate host its signed URLs
 * point to. Listing: files of one event type with `end_time` at or after `after` (so the boundary
 * file comes back, as Elastic observed; `afterComparison: "gt"` for the strict reading), oldest
 * first, `last_end_time: null` on an empty page, 422 without `after`, 400 for an event type at the
 * wrong scope, 401 `rejected_by_access_enforcement` for an OpenAI Platform key. Download: a 307 to
 * a signed, expiring URL on another host (127.0.0.1 instead of localhost, another port) serving
 * JSON Lines, streamed so files of any size cost no memory. Switches: files published late,
 * non-moving listings, failing downloads, a listed SHA-256 that does not match.
 * Source of the behaviours: chatgpt-compliance-api.md §1.2–§1.6.
 */
import { createHash, randomBytes } from "node:crypto";
import type http from "node:http";
import { Readable } from "node:stream";
import type { ComplianceScope } from "../../compliance/eventTypes";
import { isoToNanos } from "../../compliance/isoTime";
import type { LogFileSpec } from "./generateCompliance";
import { bearer, listen, type RunningServer } from "./server";
import type { TestTls } from "./tls";

/** Construction options. */
export interface ComplianceMockOptions {
  /** The Compliance API key the fake accepts. */
  readonly complianceKey: string;
  /** OpenAI Platform keys (admin, project): refused the way the real API refuses them. */
  readonly platformKeys?: readonly string[];
  readonly tls: TestTls;
  /** The fake's clock (virtual in scenario tests): decides which files are published yet and when signed URLs expire. */
  readonly now?: () => number;
  /** How `after` compares with `end_time`; default "gte" (the boundary file is listed again). */
  readonly afterComparison?: "gte" | "gt";
  /** How long a signed URL works, ms; default 5 minutes. */
  readonly signedUrlTtlMs?: number;
  /** Keep every listing and download seen (tests); otherwise only counts, so a long demo run stays small. */
  readonly keepRequests?: boolean;
}

/** A log file as the fake holds it. */
interface StoredFile {
  readonly id: string;
  readonly scope: ComplianceScope;
  readonly scopeId: string;
  readonly eventType: string;
  readonly endTime: string;
  readonly endNanos: bigint;
  readonly size: number;
  readonly sha256: string;
  /** What the listing says (a wrong value simulates a corrupt file); null leaves it out. */
  readonly listedSha256: string | null;
  readonly visibleAtMs: number;
  readonly chunks: () => Iterable<Buffer>;
}

/** A file to add. `lines` (a generator, for large files) replaces `records`. */
export interface AddLogFile extends Omit<LogFileSpec, "records"> {
  readonly records?: readonly Record<string, unknown>[];
  readonly lines?: () => Iterable<string>;
  /** Published (listed) only from this time on, ms; default at once. */
  readonly visibleAtMs?: number;
  /** Override of the listed SHA-256: a wrong digest, or null to list none. */
  readonly listedSha256?: string | null;
}

/** A fault for the next download(s) from the signed-URL host. */
export type FileFault = { readonly kind: "status"; readonly status: number } | { readonly kind: "reset" };

/** What the signed-URL host saw of one request. */
export interface SeenFileRequest {
  readonly path: string;
  readonly query: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly status: number;
}

/** What the API saw of one listing. */
export interface SeenListing {
  readonly scope: string;
  readonly scopeId: string;
  readonly eventType: string;
  readonly after: string | null;
  readonly status: number;
  readonly files: number;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

function errorBody(message: string, code: string | null = null) {
  return { error: { message, type: "invalid_request_error", param: null, code } };
}

/** Groups lines into ~64 KB buffers, each line ended by a newline. */
function* chunked(lines: Iterable<string>): Generator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for (const line of lines) {
    parts.push(line, "\n");
    size += line.length + 1;
    if (size >= 65_536) {
      yield Buffer.from(parts.join(""), "utf8");
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(""), "utf8");
}

/** The running fake. */
export class ComplianceMock {
  /** Listings seen, when `keepRequests` is set. */
  readonly listings: SeenListing[] = [];
  /** Requests to the signed-URL host, when `keepRequests` is set. */
  readonly fileRequests: SeenFileRequest[] = [];
  /** Listings and downloads answered. */
  readonly counts = { listings: 0, downloads: 0 };
  private readonly files = new Map<string, StoredFile[]>();
  private readonly byId = new Map<string, StoredFile>();
  private readonly signed = new Map<string, { file: StoredFile; expiresAt: number }>();
  private readonly stalls = new Map<string, number>();
  private readonly faults: FileFault[] = [];
  private fileServer: RunningServer | undefined;

  constructor(private readonly options: ComplianceMockOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Base URL of the signed-URL host: another host name and port than the API. */
  get fileHostUrl(): string {
    if (!this.fileServer) throw new Error("compliance fake not started");
    return this.fileServer.url.replace("//localhost:", "//127.0.0.1:");
  }

  async start(): Promise<this> {
    this.fileServer = await listen((req, res) => this.serveFile(req, res), this.options.tls);
    return this;
  }

  async stop(): Promise<void> {
    await this.fileServer?.close();
  }

  /** Adds a log file; returns its listed SHA-256 (the real one unless overridden). */
  addLogFile(spec: AddLogFile): string {
    const lines = spec.lines ?? (() => (spec.records ?? []).map((r) => JSON.stringify(r)));
    const hash = createHash("sha256");
    let size = 0;
    for (const chunk of chunked(lines())) { hash.update(chunk); size += chunk.length; }
    const sha256 = hash.digest("hex");
    const endNanos = isoToNanos(spec.endTime);
    if (endNanos === undefined) throw new Error(`bad endTime ${spec.endTime}`);
    const file: StoredFile = {
      id: spec.id, scope: spec.scope, scopeId: spec.scopeId, eventType: spec.eventType, endTime: spec.endTime, endNanos, size, sha256,
      listedSha256: spec.listedSha256 === undefined ? sha256 : spec.listedSha256, visibleAtMs: spec.visibleAtMs ?? 0, chunks: () => chunked(lines()),
    };
    const key = this.key(spec.scope, spec.scopeId, spec.eventType);
    const list = this.files.get(key) ?? [];
    list.push(file);
    list.sort((a, b) => (a.endNanos < b.endNanos ? -1 : a.endNanos > b.endNanos ? 1 : a.id.localeCompare(b.id)));
    this.files.set(key, list);
    this.byId.set(spec.id, file);
    return file.listedSha256 ?? sha256;
  }

  /** The next `times` listings of `eventType` say has_more but do not move (`last_end_time` = `after`). */
  stallListing(eventType: string, times = 1): void {
    this.stalls.set(eventType, (this.stalls.get(eventType) ?? 0) + times);
  }

  /** Queues `fault` for the next `times` signed-URL downloads. */
  injectFileFault(fault: FileFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  /** Ids of the files of one event type, listed or not yet. */
  fileIds(eventType: string): string[] {
    return [...this.files.entries()].filter(([k]) => k.endsWith(`|${eventType}`)).flatMap(([, list]) => list.map((f) => f.id));
  }

  private key(scope: string, scopeId: string, eventType: string): string {
    return `${scope}|${scopeId}|${eventType}`;
  }

  /**
   * Answers a request under `/v1/compliance/` (called by the local OpenAI API, which has already
   * applied its latency, faults and rate limit).
   */
  handle(req: http.IncomingMessage, url: URL, reply: Reply): void {
    const match = /^\/v1\/compliance\/(workspaces|organizations)\/([^/]+)\/logs(?:\/([^/]+))?$/.exec(url.pathname);
    if (req.method !== "GET" || !match) return reply(404, errorBody(`Invalid URL (${req.method} ${url.pathname})`));
    const key = bearer(req);
    if (!key) return reply(401, errorBody("Missing bearer token."));
    if (this.options.platformKeys?.includes(key)) return reply(401, errorBody("This API key is not authorized for the Compliance API: it is rejected by access enforcement", "rejected_by_access_enforcement"));
    if (key !== this.options.complianceKey) return reply(401, errorBody("Incorrect API key provided.", "invalid_api_key"));
    const scope: ComplianceScope = match[1] === "workspaces" ? "workspace" : "organization";
    const scopeId = decodeURIComponent(match[2]!);
    if (match[3]) return this.redirect(scope, scopeId, decodeURIComponent(match[3]), reply);
    this.list(scope, scopeId, url.searchParams, reply);
  }

  private list(scope: ComplianceScope, scopeId: string, query: URLSearchParams, reply: Reply): void {
    const eventType = query.get("event_type") ?? "";
    const after = query.get("after");
    const seen = (status: number, files = 0) => {
      this.counts.listings++;
      if (this.options.keepRequests) this.listings.push({ scope, scopeId, eventType, after, status, files });
    };
    if (!eventType) return (seen(400), reply(400, errorBody("event_type is required")));
    if (after === null) return (seen(422), reply(422, { detail: [{ loc: ["query", "after"], msg: "Field required", type: "missing" }] }));
    const afterNanos = isoToNanos(after);
    if (afterNanos === undefined) return (seen(400), reply(400, errorBody(`after must be an ISO 8601 date-time with a time zone, got ${after}`)));
    if ((eventType === "COSTS") !== (scope === "organization")) {
      return (seen(400), reply(400, errorBody(`${eventType} logs are listed under ${eventType === "COSTS" ? "organizations/{org_id}" : "workspaces/{workspace_id}"}`)));
    }
    const limit = Number(query.get("limit") ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return (seen(400), reply(400, errorBody("limit must be between 1 and 100")));
    const strict = this.options.afterComparison === "gt";
    const now = this.now();
    const matching = (this.files.get(this.key(scope, scopeId, eventType)) ?? []).filter((f) => f.visibleAtMs <= now && (strict ? f.endNanos > afterNanos : f.endNanos >= afterNanos));
    const stalls = this.stalls.get(eventType) ?? 0;
    if (stalls > 0) this.stalls.set(eventType, stalls - 1);
    // A stalled page is consistent in itself: nothing listed, "more", and a position that does not move.
    const page = stalls > 0 ? [] : matching.slice(0, limit);
    seen(200, page.length);
    reply(200, {
      data: page.map((f) => ({ id: f.id, event_type: f.eventType, end_time: f.endTime, file_name: `${f.eventType}_${f.endTime.replace("Z", "+00:00")}.jsonl`, file_size: f.size, ...(f.listedSha256 === null ? {} : { file_sha256: f.listedSha256 }) })),
      has_more: stalls > 0 || matching.length > page.length,
      last_end_time: stalls > 0 ? after : page[page.length - 1]?.endTime ?? null,
    });
  }

  private redirect(scope: ComplianceScope, scopeId: string, id: string, reply: Reply): void {
    const file = this.byId.get(id);
    if (!file || file.scope !== scope || file.scopeId !== scopeId || file.visibleAtMs > this.now()) return reply(404, errorBody(`No log file ${id} in this ${scope}.`));
    const token = randomBytes(12).toString("hex");
    const expiresAt = this.now() + (this.options.signedUrlTtlMs ?? 300_000);
    for (const [t, g] of this.signed) if (g.expiresAt < this.now()) this.signed.delete(t);
    this.signed.set(token, { file, expiresAt });
    const signature = randomBytes(16).toString("base64url");
    reply(307, "", { location: `${this.fileHostUrl}/logfiles/${token}/${file.eventType}.jsonl?se=${new Date(expiresAt).toISOString()}&sig=${signature}` });
  }

  private serveFile(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "https://files");
    const record = (status: number) => {
      this.counts.downloads++;
      if (this.options.keepRequests) this.fileRequests.push({ path: url.pathname, query: url.search, headers: { ...req.headers }, status });
    };
    const match = /^\/logfiles\/([0-9a-f]+)\/[A-Z_]+\.jsonl$/.exec(url.pathname);
    const grant = match ? this.signed.get(match[1]!) : undefined;
    if (!grant || !url.searchParams.get("sig")) { record(404); res.writeHead(404, { "content-type": "application/xml" }).end("<Error><Code>BlobNotFound</Code></Error>"); return; }
    if (grant.expiresAt < this.now()) { record(403); res.writeHead(403, { "content-type": "application/xml" }).end("<Error><Code>AuthenticationFailed</Code><Message>Signed expiry time has passed</Message></Error>"); return; }
    const fault = this.faults.shift();
    if (fault?.kind === "status") { record(fault.status); res.writeHead(fault.status, { "content-type": "application/xml" }).end("<Error><Code>ServerBusy</Code></Error>"); return; }
    record(200);
    res.writeHead(200, { "content-type": "application/jsonl", "content-length": String(grant.file.size) });
    if (fault?.kind === "reset") {
      // Half the file, then the connection drops.
      let sent = 0;
      for (const chunk of grant.file.chunks()) {
        if (sent + chunk.length > grant.file.size / 2) break;
        res.write(chunk);
        sent += chunk.length;
      }
      res.write(Buffer.from("{\"event_id\":\"cut"));
      setImmediate(() => req.socket.destroy());
      return;
    }
    Readable.from(grant.file.chunks()).pipe(res);
  }
}
