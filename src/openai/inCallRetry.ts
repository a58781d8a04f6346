/**
 * The in-call retry policy both HTTP clients (OpenAI API, ChatGPT Compliance API) share: brief
 * faults are retried in place with jittered backoff; a server-requested delay is waited out only
 * when it is short; everything else is reported as an {@link OpenAIError} for the orchestrator to
 * wait on with a durable timer. Also the one authenticated GET that applies it.
 */
import type { AxiosInstance } from "axios";
import { redactSecrets } from "../redact";
import { classifyHttpFailure, classifyTransportFailure, OpenAIError, type FailedRequest, type OpenAIFailure } from "./failures";
import { MalformedResponseError } from "./parse";
import { RateLimiter } from "./rateLimiter";
import { backoffDelayMs } from "./retryDelay";

/** Default attempts per call for brief faults (first try included). */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** A server-requested delay up to this long (ms) is waited out in place; longer ones are reported. */
export const DEFAULT_MAX_INLINE_DELAY_MS = 2_000;

/** Per-call options. */
export interface RequestOptions {
  readonly abortSignal?: AbortSignal;
}

/** Tuning of the policy; every field optional. */
export interface InCallRetryOptions {
  readonly maxAttempts?: number;
  readonly maxInlineDelayMs?: number;
  /** Injected for tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests; returns [0, 1). */
  readonly random?: () => number;
  readonly now?: () => number;
  /** Requests per second sent at most; unlimited when absent. */
  readonly maxRequestsPerSecond?: number;
}

/** Sleeps `ms`, rejecting when `signal` aborts. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

/** Response headers with lower-cased names and string values. */
export function lowerCaseHeaders(headers: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (headers && typeof headers === "object") {
    for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
      if (typeof value === "string" || typeof value === "number") out[key.toLowerCase()] = String(value);
      else if (Array.isArray(value)) out[key.toLowerCase()] = value.join(", ");
    }
  }
  return out;
}

/** The parsed JSON of `text`, or the text itself when it is not JSON. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One client's retry policy and request rate limit. */
export class InCallRetry {
  readonly maxAttempts: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now: () => number;
  readonly limiter: RateLimiter | undefined;
  private readonly maxInlineDelayMs: number;
  private readonly random: () => number;

  constructor(options: InCallRetryOptions) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.maxInlineDelayMs = options.maxInlineDelayMs ?? DEFAULT_MAX_INLINE_DELAY_MS;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.limiter = options.maxRequestsPerSecond ? new RateLimiter(options.maxRequestsPerSecond) : undefined;
  }

  /** Exponential backoff with jitter after failed attempt `attempt`, ms. */
  backoffMs(attempt: number): number {
    return backoffDelayMs(attempt, this.random);
  }

  /** How long to wait before retrying in place after `failure` on attempt `attempt`, or undefined to report it now. */
  delayAfter(failure: OpenAIFailure, attempt: number): number | undefined {
    if (attempt >= this.maxAttempts) return undefined;
    if (failure.kind === "retriable") return this.backoffMs(attempt);
    if (failure.kind === "throttled" && !failure.quota) {
      const asked = failure.retryAfterMs ?? this.backoffMs(attempt);
      return asked <= this.maxInlineDelayMs ? asked : undefined;
    }
    return undefined;
  }

  /** A failure without an HTTP response, with the secrets scrubbed from the library's message. */
  transportFailure(request: FailedRequest, error: unknown, secrets: readonly string[], options: RequestOptions): OpenAIFailure {
    if (options.abortSignal?.aborted) return { kind: "retriable", status: undefined, message: `${request.operation}: aborted` };
    // axios errors carry the request config (and so the Authorization header): keep only code and message.
    const { code, message } = error as { code?: string; message?: string };
    return classifyTransportFailure(request, code, message ?? "unknown error", secrets);
  }

  /**
   * GETs `target` on `http` with the key as a bearer token, retrying brief faults; returns the
   * body text of a 2xx or throws {@link OpenAIError} (key and bearer tokens scrubbed).
   */
  async getText(http: AxiosInstance, apiKey: string, request: FailedRequest, target: string, options: RequestOptions = {}): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      let failure: OpenAIFailure;
      let requestId: string | undefined;
      try {
        await this.limiter?.take();
        const response = await http.get<string>(target, {
          headers: { Authorization: `Bearer ${apiKey}`, Accept: "application/json" }, responseType: "text", transformResponse: [(data: unknown) => data],
          ...(options.abortSignal ? { signal: options.abortSignal } : {}),
        });
        const headers = lowerCaseHeaders(response.headers);
        requestId = headers["x-request-id"];
        if (response.status >= 200 && response.status < 300) return typeof response.data === "string" ? response.data : String(response.data);
        failure = classifyHttpFailure(request, response.status, headers, safeJson(String(response.data ?? "")), this.now(), [apiKey]);
      } catch (error) {
        if (options.abortSignal?.aborted) throw new OpenAIError({ kind: "retriable", status: undefined, message: `${request.operation}: aborted` });
        failure = this.transportFailure(request, error, [apiKey], options);
      }
      const safe = { ...failure, message: redactSecrets(failure.message, [apiKey]) } as OpenAIFailure;
      const delay = this.delayAfter(safe, attempt);
      if (delay === undefined) throw new OpenAIError(safe, requestId);
      await this.sleep(delay, options.abortSignal);
    }
  }

  /**
   * Fetches and parses, fetching again when `parse` throws {@link MalformedResponseError} (most
   * often a proxy or gateway page, or a page that contradicts itself); after the last attempt a
   * retriable {@link OpenAIError} naming `what`.
   */
  async parsed<T>(fetch: () => Promise<string>, parse: (text: string) => T, what: string, apiKey: string, options: RequestOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const text = await fetch();
      try {
        return parse(text);
      } catch (error) {
        if (!(error instanceof MalformedResponseError)) throw error;
        const failure: OpenAIFailure = { kind: "retriable", status: 200, message: `${what}: malformed response: ${redactSecrets(error.message, [apiKey])}` };
        if (attempt >= this.maxAttempts) throw new OpenAIError(failure);
        await this.sleep(this.backoffMs(attempt), options.abortSignal);
      }
    }
  }
}
