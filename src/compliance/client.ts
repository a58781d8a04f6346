/**
 * The ChatGPT Compliance API client (axios): lists log files and downloads them. A download is a
 * redirect from the API to a signed URL on another host; the signed URL is fetched by a separate
 * request that carries no Authorization header, so the compliance key never leaves for that
 * host, and the signature (a credential too) is never put in a message. The body is streamed to a
 * file while its SHA-256 and size are computed: memory stays bounded whatever the file's size,
 * and nothing is parsed before the checksum was verified. Brief faults are retried in the call;
 * a failed download asks the API for a fresh signed URL. Sources: chatgpt-compliance-api.md §1.2
 * (endpoints, 307 to a signed JSON Lines URL), §1.3 (Bearer key), §1.4 (parameters), §1.5 (paging).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { defaultSleep, lowerCaseHeaders, safeJson, type RequestOptions } from "../openai/client";
import { classifyHttpFailure, classifyTransportFailure, OpenAIError, type FailedRequest, type OpenAIFailure } from "../openai/failures";
import { MalformedResponseError } from "../openai/parse";
import { encodeQuery } from "../openai/query";
import { RateLimiter } from "../openai/rateLimiter";
import { backoffDelayMs } from "../openai/retryDelay";
import { redactSecrets } from "../redact";
import type { ComplianceScope } from "./eventTypes";
import { parseLogFilePage, type LogFile, type LogFilePage } from "./logFiles";

/** Files per listing page (what every peer integration uses; the maximum is not published). */
export const LOG_FILE_PAGE_LIMIT = 100;
/** Per-request timeout of API calls, ms. */
export const DEFAULT_TIMEOUT_MS = 45_000;
/** Longest a signed-URL download may sit idle before it is abandoned and retried, ms. */
export const DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS = 120_000;
/** Attempts per call for brief faults (first try included). */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** A server-requested delay up to this long is waited out in place; longer ones are reported. */
export const DEFAULT_MAX_INLINE_DELAY_MS = 2_000;
/** Most bytes of an error body read from a failed response. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Construction options. */
export interface ComplianceClientOptions {
  /** API base, e.g. `https://api.chatgpt.com/v1/compliance` (CHATGPT_COMPLIANCE_BASE_URL). */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly downloadIdleTimeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxInlineDelayMs?: number;
  /** Extra CA certificates to trust (local fakes). */
  readonly ca?: string;
  /** Injected for tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests; returns [0, 1). */
  readonly random?: () => number;
  readonly now?: () => number;
  /** API requests per second at most; unlimited when absent. */
  readonly maxRequestsPerSecond?: number;
}

/** Which listing: one event type under one workspace or organization. */
export interface LogFileQuery {
  readonly eventType: string;
  readonly scope: ComplianceScope;
  readonly scopeId: string;
  /** ISO-8601 with a zone: files ending at or after this are listed. */
  readonly after: string;
  readonly limit?: number;
}

/** Where a file is listed. */
export interface LogFileLocation {
  readonly scope: ComplianceScope;
  readonly scopeId: string;
}

/** A downloaded file's measured size (bytes) and SHA-256 (lower-case hex). */
export interface DownloadedFile {
  readonly bytes: number;
  readonly sha256: string;
}

/** Where a download went wrong; `retriable` failures are retried with a fresh signed URL. */
type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: OpenAIFailure; readonly requestId?: string | undefined };

/** The signed URL without its query (which holds the signature), for messages. */
function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

async function readSome(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= MAX_ERROR_BODY_BYTES) break;
  }
  body.destroy();
  return Buffer.concat(chunks).toString("utf8").slice(0, MAX_ERROR_BODY_BYTES);
}

/** Lists and downloads ChatGPT compliance log files. One instance per process; the key is passed per call. */
export class ComplianceClient {
  private readonly api: AxiosInstance;
  private readonly files: AxiosInstance;
  private readonly basePath: string;
  private readonly maxAttempts: number;
  private readonly maxInlineDelayMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly limiter: RateLimiter | undefined;

  constructor(options: ComplianceClientOptions) {
    const base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.basePath = base.pathname;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.maxInlineDelayMs = options.maxInlineDelayMs ?? DEFAULT_MAX_INLINE_DELAY_MS;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.limiter = options.maxRequestsPerSecond ? new RateLimiter(options.maxRequestsPerSecond) : undefined;
    const agents = {
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 32 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 32, ...(options.ca ? { ca: options.ca } : {}) }),
    };
    const common = { validateStatus: () => true, ...agents, headers: { "User-Agent": "openai-sentinel-connector/0.1" } };
    this.api = axios.create({ ...common, baseURL: base.toString(), timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxRedirects: 0 });
    // The signed-URL host gets its own instance: no base URL, no Authorization ever, idle timeout only.
    this.files = axios.create({ ...common, timeout: options.downloadIdleTimeoutMs ?? DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS, maxRedirects: 3, responseType: "stream", decompress: true });
  }

  /** Path of a scope under the base: `workspaces/{id}` or `organizations/{id}`. */
  private scopePath(location: LogFileLocation): string {
    return `${location.scope === "workspace" ? "workspaces" : "organizations"}/${encodeURIComponent(location.scopeId)}`;
  }

  /**
   * One page of log files of `query.eventType` ending at or after `query.after`. Throws
   * {@link OpenAIError}: `unauthorized` for a refused key (a Platform key where a compliance key is
   * needed), `retriable` for a malformed or self-contradicting page after in-call retries.
   */
  async listLogFiles(apiKey: string, query: LogFileQuery, options: RequestOptions = {}): Promise<LogFilePage> {
    const path = `${this.scopePath(query)}/logs`;
    const target = `${path}?${encodeQuery({ event_type: query.eventType, after: query.after, limit: query.limit ?? LOG_FILE_PAGE_LIMIT })}`;
    const request: FailedRequest = { dataType: "complianceLogs", operation: `GET ${this.basePath}${path}?event_type=${query.eventType}` };
    for (let attempt = 1; ; attempt++) {
      const text = await this.apiText(apiKey, request, target, options);
      try {
        return parseLogFilePage(text, query.eventType);
      } catch (error) {
        if (!(error instanceof MalformedResponseError)) throw error;
        const failure: OpenAIFailure = { kind: "retriable", status: 200, message: `${request.operation} (after ${query.after}): ${redactSecrets(error.message, [apiKey])}` };
        if (attempt >= this.maxAttempts) throw new OpenAIError(failure);
        await this.sleep(backoffDelayMs(attempt, this.random), options.abortSignal);
      }
    }
  }

  /**
   * Downloads `file` to the path `destination` (created or replaced) and returns its measured size
   * and SHA-256. Throws {@link OpenAIError}: `unauthorized` when the API refuses the key, `retriable`
   * when the download kept failing, `fatal` when the bytes do not match the listed `file_size` or
   * `file_sha256` twice in a row (the caller must then ingest nothing from the file).
   */
  async downloadLogFile(apiKey: string, location: LogFileLocation, file: LogFile, destination: string, options: RequestOptions = {}): Promise<DownloadedFile> {
    const path = `${this.scopePath(location)}/logs/${encodeURIComponent(file.id)}`;
    const request: FailedRequest = { dataType: "complianceLogs", operation: `GET ${this.basePath}${path}` };
    let mismatches = 0;
    for (let attempt = 1; ; attempt++) {
      const result = await this.downloadOnce(apiKey, request, path, destination, options);
      let failure: OpenAIFailure;
      let requestId: string | undefined;
      if (result.ok) {
        const problem = this.mismatch(file, result.value);
        if (problem === undefined) return result.value;
        // A second mismatch is the file itself, not the transfer.
        failure = { kind: ++mismatches >= 2 ? "fatal" : "retriable", status: undefined, message: `${request.operation}: ${problem}` };
      } else {
        failure = result.failure;
        requestId = result.requestId;
      }
      const delay = this.inlineDelay(failure, attempt);
      if (delay === undefined) throw new OpenAIError(failure, requestId);
      await this.sleep(delay, options.abortSignal);
    }
  }

  private mismatch(file: LogFile, got: DownloadedFile): string | undefined {
    if (file.fileSize !== null && file.fileSize !== got.bytes) return `file ${file.id} has ${got.bytes} bytes, the listing says ${file.fileSize}`;
    if (file.sha256 !== null && file.sha256 !== got.sha256) return `file ${file.id} failed its SHA-256 check (got ${got.sha256}, the listing says ${file.sha256}); nothing of it was ingested`;
    return undefined;
  }

  /** One try: ask the API for the file, follow its redirect without the key, stream the bytes to disk. */
  private async downloadOnce(apiKey: string, request: FailedRequest, path: string, destination: string, options: RequestOptions): Promise<Attempt<DownloadedFile>> {
    let response: AxiosResponse<Readable>;
    try {
      await this.limiter?.take();
      response = await this.api.get<Readable>(path, { headers: { Authorization: `Bearer ${apiKey}` }, responseType: "stream", ...(options.abortSignal ? { signal: options.abortSignal } : {}) });
    } catch (error) {
      return { ok: false, failure: this.transportFailure(request, error, apiKey, options) };
    }
    const headers = lowerCaseHeaders(response.headers);
    if (response.status >= 300 && response.status < 400 && headers.location) {
      response.data.destroy();
      const signed = new URL(headers.location, this.api.defaults.baseURL);
      return this.fetchSigned(signed, destination, options);
    }
    if (response.status >= 200 && response.status < 300) return this.save(response.data, destination, request, apiKey, options);
    const text = await readSome(response.data).catch(() => "");
    const failure = classifyHttpFailure(request, response.status, headers, safeJson(text), this.now());
    return { ok: false, failure: { ...failure, message: redactSecrets(failure.message, [apiKey]) } as OpenAIFailure, requestId: headers["x-request-id"] };
  }

  private async fetchSigned(signed: URL, destination: string, options: RequestOptions): Promise<Attempt<DownloadedFile>> {
    const where: FailedRequest = { dataType: "complianceLogs", operation: `GET ${withoutQuery(signed)} (signed log-file URL)` };
    if (signed.protocol !== "https:" && !(signed.protocol === "http:" && ["localhost", "127.0.0.1"].includes(signed.hostname))) {
      return { ok: false, failure: { kind: "fatal", status: undefined, message: `${where.operation}: the API redirected to a non-HTTPS URL; refusing to download` } };
    }
    let response: AxiosResponse<Readable>;
    try {
      response = await this.files.get<Readable>(signed.toString(), options.abortSignal ? { signal: options.abortSignal } : {});
    } catch (error) {
      return { ok: false, failure: this.transportFailure(where, error, undefined, options) };
    }
    if (response.status >= 200 && response.status < 300) return this.save(response.data, destination, where, undefined, options);
    response.data.destroy();
    // An expired or refused signature is cured by asking the API for a fresh URL: retriable.
    const retriable = [401, 403, 404, 408, 410, 429].includes(response.status) || response.status >= 500;
    return { ok: false, failure: { kind: retriable ? "retriable" : "fatal", status: response.status, message: `${where.operation} → HTTP ${response.status}` } };
  }

  /** Streams `body` to `destination`, hashing and counting on the way. */
  private async save(body: Readable, destination: string, where: FailedRequest, apiKey: string | undefined, options: RequestOptions): Promise<Attempt<DownloadedFile>> {
    const hash = createHash("sha256");
    let bytes = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, measure, fs.createWriteStream(destination), options.abortSignal ? { signal: options.abortSignal } : {});
    } catch (error) {
      return { ok: false, failure: this.transportFailure(where, error, apiKey, options) };
    }
    return { ok: true, value: { bytes, sha256: hash.digest("hex") } };
  }

  private transportFailure(request: FailedRequest, error: unknown, apiKey: string | undefined, options: RequestOptions): OpenAIFailure {
    if (options.abortSignal?.aborted) return { kind: "retriable", status: undefined, message: `${request.operation}: aborted` };
    // axios errors carry the request config (and so the Authorization header): keep only code and message.
    const { code, message } = error as { code?: string; message?: string };
    return classifyTransportFailure(request, code, redactSecrets(message ?? "unknown error", apiKey ? [apiKey] : []));
  }

  /** Sends an API GET with brief retries; returns the body text of a 2xx or throws {@link OpenAIError}. */
  private async apiText(apiKey: string, request: FailedRequest, target: string, options: RequestOptions): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      let failure: OpenAIFailure;
      let requestId: string | undefined;
      try {
        await this.limiter?.take();
        const response = await this.api.get<string>(target, {
          headers: { Authorization: `Bearer ${apiKey}`, Accept: "application/json" }, responseType: "text", transformResponse: [(data: unknown) => data],
          ...(options.abortSignal ? { signal: options.abortSignal } : {}),
        });
        const headers = lowerCaseHeaders(response.headers);
        requestId = headers["x-request-id"];
        if (response.status >= 200 && response.status < 300) return typeof response.data === "string" ? response.data : String(response.data);
        failure = classifyHttpFailure(request, response.status, headers, safeJson(String(response.data ?? "")), this.now());
      } catch (error) {
        failure = this.transportFailure(request, error, apiKey, options);
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
    if (failure.kind === "retriable") return backoffDelayMs(attempt, this.random);
    if (failure.kind === "throttled" && !failure.quota) {
      const asked = failure.retryAfterMs ?? backoffDelayMs(attempt, this.random);
      return asked <= this.maxInlineDelayMs ? asked : undefined;
    }
    return undefined;
  }
}
