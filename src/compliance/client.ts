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
import { classifyHttpFailure, OpenAIError, type FailedRequest, type OpenAIFailure } from "../openai/failures";
import { InCallRetry, lowerCaseHeaders, safeJson, type InCallRetryOptions, type RequestOptions } from "../openai/inCallRetry";
import { encodeQuery } from "../openai/query";
import { redactSecrets } from "../redact";
import type { ComplianceScope } from "./eventTypes";
import { parseLogFilePage, type LogFile, type LogFilePage } from "./logFiles";

/** Files per listing page (what every peer integration uses; the maximum is not published). */
export const LOG_FILE_PAGE_LIMIT = 100;
/** Per-request timeout of API calls, ms. */
export const DEFAULT_TIMEOUT_MS = 45_000;
/** Longest a signed-URL download may sit idle before it is abandoned and retried, ms. */
export const DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS = 120_000;
/** Most bytes of an error body read from a failed response. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Construction options (with the in-call retry policy's). */
export interface ComplianceClientOptions extends InCallRetryOptions {
  /** API base, e.g. `https://api.chatgpt.com/v1/compliance` (CHATGPT_COMPLIANCE_BASE_URL). */
  readonly baseUrl: string;
  /** Per-request timeout of API calls, ms. */
  readonly timeoutMs?: number;
  /** Longest a download may sit idle, ms. */
  readonly downloadIdleTimeoutMs?: number;
  /** Extra CA certificates to trust (local fakes). */
  readonly ca?: string;
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
  private readonly retry: InCallRetry;

  constructor(options: ComplianceClientOptions) {
    const base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.basePath = base.pathname;
    this.retry = new InCallRetry(options);
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
    return this.retry.parsed(() => this.retry.getText(this.api, apiKey, request, target, options), (text) => parseLogFilePage(text, query.eventType), `${request.operation} (after ${query.after})`, apiKey, options);
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
      const delay = this.retry.delayAfter(failure, attempt);
      if (delay === undefined) throw new OpenAIError(failure, requestId);
      await this.retry.sleep(delay, options.abortSignal);
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
      await this.retry.limiter?.take();
      response = await this.api.get<Readable>(path, { headers: { Authorization: `Bearer ${apiKey}` }, responseType: "stream", ...(options.abortSignal ? { signal: options.abortSignal } : {}) });
    } catch (error) {
      return { ok: false, failure: this.retry.transportFailure(request, error, [apiKey], options) };
    }
    const headers = lowerCaseHeaders(response.headers);
    if (response.status >= 300 && response.status < 400 && headers.location) {
      response.data.destroy();
      const signed = new URL(headers.location, this.api.defaults.baseURL);
      return this.fetchSigned(signed, destination, options);
    }
    if (response.status >= 200 && response.status < 300) return this.save(response.data, destination, request, apiKey, options);
    const text = await readSome(response.data).catch(() => "");
    const failure = classifyHttpFailure(request, response.status, headers, safeJson(text), this.retry.now(), [apiKey]);
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
      return { ok: false, failure: this.retry.transportFailure(where, error, [], options) };
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
      return { ok: false, failure: this.retry.transportFailure(where, error, apiKey ? [apiKey] : [], options) };
    }
    return { ok: true, value: { bytes, sha256: hash.digest("hex") } };
  }
}
