/** The one place that decides what a Logs Ingestion failure means. Pure; tested as a table. */
import { redactSecrets } from "../redact";

/** What went wrong with an upload, in the terms the caller branches on. */
export type SentinelFailure =
  | { readonly kind: "throttled"; readonly status: number; readonly retryAfterMs: number | undefined; readonly message: string }
  | { readonly kind: "retriable"; readonly status: number | undefined; readonly message: string }
  | { readonly kind: "fatal"; readonly status: number | undefined; readonly message: string };

/**
 * An upload to the Logs Ingestion API failed. Rows `[0, acceptedRows)` of the batch were accepted
 * (HTTP 204) before the failure and must not be sent again; the rest were not delivered.
 */
export class SentinelError extends Error {
  override readonly name = "SentinelError";
  constructor(readonly failure: SentinelFailure, readonly acceptedRows = 0) {
    super(failure.message);
  }
}

/** Type guard for {@link SentinelError}. */
export function isSentinelError(error: unknown): error is SentinelError {
  return error instanceof SentinelError;
}

/** Where the upload went, for messages that name what to fix. */
export interface UploadTarget {
  readonly ruleId: string;
  readonly streamName: string;
  readonly endpoint: string;
}

/** The parts of a RestError (or network error) the classifier reads. */
export interface UploadCause {
  readonly statusCode?: number | undefined;
  readonly code?: string | undefined;
  readonly message?: string | undefined;
  readonly retryAfterMs?: number | undefined;
}

const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "ESOCKETTIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "REQUEST_SEND_ERROR"]);

/** Classifies one failed chunk's cause. */
export function classifyUploadFailure(target: UploadTarget, cause: UploadCause): SentinelFailure {
  const status = cause.statusCode;
  const said = redactSecrets(cause.message ?? "").slice(0, 300);
  const where = `Logs Ingestion ${target.streamName} on DCR ${target.ruleId}${status ? ` → HTTP ${status}` : ""}`;
  if (status === 401 || status === 403) {
    return { kind: "fatal", status, message: `${where}: ${said}. Grant the function app's identity the "Monitoring Metrics Publisher" role on the data collection rule ${target.ruleId} (role assignments can take up to 30 minutes to apply).` };
  }
  if (status === 404) {
    return { kind: "fatal", status, message: `${where}: ${said}. Check DCR_IMMUTABLE_ID (${target.ruleId}), that the DCR declares stream ${target.streamName}, and LOGS_INGESTION_ENDPOINT (${target.endpoint}).` };
  }
  if (status === 429) return { kind: "throttled", status, retryAfterMs: cause.retryAfterMs, message: `${where}: throttled: ${said}` };
  if (status === 408 || (status !== undefined && status >= 500)) return { kind: "retriable", status, message: `${where}: ${said}` };
  if (status === undefined) {
    const transient = cause.code === undefined || TRANSIENT_CODES.has(cause.code) || /abort|timeout|socket/i.test(said);
    return { kind: transient ? "retriable" : "fatal", status, message: `${where}: ${cause.code ?? "error"} ${said}`.trim() };
  }
  return { kind: "fatal", status, message: `${where}: ${said}` };
}

const SEVERITY: Record<SentinelFailure["kind"], number> = { fatal: 3, throttled: 2, retriable: 1 };

/** Of several chunk failures, the one that decides what to do: fatal over throttled over retriable. */
export function worstFailure(failures: readonly SentinelFailure[]): SentinelFailure | undefined {
  return failures.reduce<SentinelFailure | undefined>((worst, f) => (worst === undefined || SEVERITY[f.kind] > SEVERITY[worst.kind] ? f : worst), undefined);
}
