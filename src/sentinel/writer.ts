/**
 * Uploads rows through the Azure Monitor Logs Ingestion API with the real SDK client. The SDK
 * chunks (1 MB), gzips and retries brief faults itself; this wrapper turns its aggregate error
 * into one classified {@link SentinelError}, because `AggregateLogsUploadError.message` carries
 * nothing useful: the reasons are in `errors[i].cause`.
 */
import type { TokenCredential } from "@azure/core-auth";
import { isAggregateLogsUploadError, LogsIngestionClient } from "@azure/monitor-ingestion";
import { restoreRawNumbers } from "../json/exactJson";
import { chunkRows } from "./chunking";
import { classifyUploadFailure, SentinelError, worstFailure, type UploadCause, type UploadTarget } from "./failures";

/** Construction options. */
export interface SentinelWriterOptions {
  /** Extra CA certificates to trust (local fakes). */
  readonly ca?: string;
  /** Retries the SDK makes itself for 429 with Retry-After, 5xx and network faults. */
  readonly maxRetries?: number;
  readonly retryDelayInMs?: number;
  readonly maxRetryDelayInMs?: number;
}

/** Per-call options. */
export interface UploadOptions {
  readonly abortSignal?: AbortSignal;
}

function causeOf(error: unknown): UploadCause {
  const e = error as { statusCode?: number; code?: string; message?: string; response?: { headers?: { get?: (name: string) => string | undefined } } };
  const retryAfter = e.response?.headers?.get?.("retry-after");
  return {
    statusCode: e.statusCode,
    code: e.code,
    message: e.message,
    retryAfterMs: retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined,
  };
}

/** Writes rows to one data collection rule. One instance per process. */
export class SentinelWriter {
  private readonly client: LogsIngestionClient;

  constructor(private readonly endpoint: string, private readonly ruleId: string, credential: TokenCredential, options: SentinelWriterOptions = {}) {
    this.client = new LogsIngestionClient(endpoint, credential, {
      retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: options.retryDelayInMs ?? 1_000, maxRetryDelayInMs: options.maxRetryDelayInMs ?? 16_000 },
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
    });
    // The SDK serializes rows with JSON.stringify; before it gzips the body, put the exact digits
    // of RawJsonNumbers (64-bit seeds) in place of their markers (src/json/exactJson.ts).
    this.client.pipeline.addPolicy({
      name: "rawJsonNumbers",
      sendRequest: (request, next) => {
        if (typeof request.body === "string") request.body = restoreRawNumbers(request.body);
        return next(request);
      },
    }, { beforePolicies: ["GzippingPolicy"] });
  }

  /**
   * Uploads `rows` to `streamName`, in order, one request body (≤ MAX_REQUEST_BODY_BYTES, chunking.ts)
   * after another, and stops at the first that fails. Resolves when every request got 204.
   * Otherwise throws a {@link SentinelError} whose `acceptedRows` counts the leading rows that
   * were accepted: in order, so the accepted rows are always a prefix and a retry can resume
   * after them (a batch is one page, usually one request; order costs a round trip only for
   * pages of large rows).
   */
  async upload(streamName: string, rows: readonly Record<string, unknown>[], options: UploadOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    const target: UploadTarget = { ruleId: this.ruleId, streamName, endpoint: this.endpoint };
    let accepted = 0;
    // Each chunk fits one request, so the SDK sends it whole.
    for (const chunk of chunkRows(rows)) {
      try {
        await this.client.upload(this.ruleId, streamName, chunk, options.abortSignal ? { abortSignal: options.abortSignal } : {});
      } catch (error) {
        const causes = isAggregateLogsUploadError(error) ? error.errors.map((e) => causeOf(e.cause)) : [causeOf(error)];
        throw new SentinelError(worstFailure(causes.map((c) => classifyUploadFailure(target, c)))!, accepted);
      }
      accepted += chunk.length;
    }
  }
}
