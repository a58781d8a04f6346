/**
 * The one place that decides what an OpenAI failure means: retriable, throttled, or something a
 * person must fix. Pure; tested as a table.
 */
import { redactSecrets, redactThenCut } from "../redact";
import { retryDelayFromHeaders, type HeaderBag } from "./retryDelay";
import { keyRequirementSentence } from "../collectors/dataTypes";
import type { DataType } from "./types";

/** What went wrong, in the terms the caller branches on. */
export type OpenAIFailure =
  | { readonly kind: "unauthorized"; readonly status: number; readonly message: string }
  | { readonly kind: "cursorInvalid"; readonly status: number; readonly message: string }
  | { readonly kind: "notFound"; readonly status: number; readonly message: string }
  | { readonly kind: "throttled"; readonly status: number; readonly retryAfterMs: number | undefined; readonly quota: boolean; readonly message: string }
  | { readonly kind: "retriable"; readonly status: number | undefined; readonly message: string }
  | { readonly kind: "fatal"; readonly status: number | undefined; readonly message: string };

/** An OpenAI call that failed. Carries no request config, headers or key. */
export class OpenAIError extends Error {
  override readonly name = "OpenAIError";
  constructor(readonly failure: OpenAIFailure, readonly requestId?: string) {
    super(failure.message);
  }
}

/** Type guard for {@link OpenAIError}. */
export function isOpenAIError(error: unknown): error is OpenAIError {
  return error instanceof OpenAIError;
}

/** What the classifier needs to know about the request that failed. */
export interface FailedRequest {
  readonly dataType: DataType;
  /** Method and path, e.g. `GET /v1/organization/audit_logs`. */
  readonly operation: string;
  /** The `after` (or usage `page`) cursor sent, if any. */
  readonly cursor?: string | undefined;
}

/** OpenAI's error body: `{error: {message, type, param, code}}`. */
interface ErrorBody {
  message?: string;
  type?: string;
  param?: string | null;
  code?: string | null;
}

function errorBody(body: unknown): ErrorBody {
  if (body && typeof body === "object" && "error" in body) {
    const error = (body).error;
    if (error && typeof error === "object") return error;
    if (typeof error === "string") return { message: error };
  }
  return {};
}

function mentionsCursor(error: ErrorBody, cursor: string): boolean {
  const message = error.message ?? "";
  // `after` for lists, `page` for the usage and costs endpoints.
  return error.param === "after" || error.param === "page" || message.includes(cursor) || /\bafter\b|\bcursor\b/i.test(message);
}

/** Longest part of a non-JSON body (a proxy's or gateway's page) kept in a failure message. */
const MAX_BODY_TEXT_CHARS = 200;
/** Longest server error message (`error.message`) kept. */
const MAX_SERVER_MESSAGE_CHARS = 1_000;

/**
 * Classifies an HTTP response with a non-2xx status. `secrets` (the key sent) are scrubbed from
 * what the server said before it is cut ({@link MAX_BODY_TEXT_CHARS} of a non-JSON body), so no
 * part of an echoed key survives the cut.
 */
export function classifyHttpFailure(
  request: FailedRequest,
  status: number,
  headers: HeaderBag,
  body: unknown,
  nowMs: number,
  secrets: readonly string[] = [],
): OpenAIFailure {
  const error = errorBody(body);
  const serverSays = error.message !== undefined ? redactThenCut(error.message, MAX_SERVER_MESSAGE_CHARS, secrets)
    : typeof body === "string" ? redactThenCut(body, MAX_BODY_TEXT_CHARS, secrets) : "";
  const where = `${request.operation} → HTTP ${status}`;
  const detail = serverSays ? `: ${serverSays}` : "";

  if (status === 401 || status === 403) {
    return {
      kind: "unauthorized",
      status,
      message: `${where}${detail}. ${keyRequirementSentence(request.dataType)} Check the secret in Key Vault.`,
    };
  }
  if (status === 429) {
    const quota = error.code === "insufficient_quota" || /quota|billing/i.test(error.message ?? "");
    return {
      kind: "throttled",
      status,
      quota,
      retryAfterMs: retryDelayFromHeaders(headers, nowMs),
      message: quota ? `${where}: quota exhausted${detail}. Add credits or raise the budget in the OpenAI organization.` : `${where}: rate limited${detail}`,
    };
  }
  if (request.cursor !== undefined && (status === 404 || (status === 400 && mentionsCursor(error, request.cursor)))) {
    return { kind: "cursorInvalid", status, message: `${where}: the cursor ${request.cursor} is no longer valid${detail}` };
  }
  if (status === 404) return { kind: "notFound", status, message: `${where}${detail}` };
  if (status === 408 || status === 409 || status >= 500 || headers["x-should-retry"] === "true") {
    return { kind: "retriable", status, message: `${where}${detail}` };
  }
  return { kind: "fatal", status, message: `${where}${detail}` };
}

const TRANSIENT_NETWORK_CODES = new Set([
  "ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "ESOCKETTIMEDOUT", "EPIPE", "EAI_AGAIN",
  "ENOTFOUND", "ENETUNREACH", "EHOSTUNREACH", "ERR_SOCKET_CONNECTION_TIMEOUT", "ERR_BAD_RESPONSE", "ERR_NETWORK",
  "UND_ERR_SOCKET",
]);

/** Classifies a failure without an HTTP response (timeouts, resets, refused connections); `secrets` are scrubbed from `message`. */
export function classifyTransportFailure(request: FailedRequest, code: string | undefined, message: string, secrets: readonly string[] = []): OpenAIFailure {
  const text = `${request.operation}: network error ${code ?? ""} ${redactSecrets(message, secrets)}`.replace(/\s+/g, " ").trim();
  if (code === undefined || TRANSIENT_NETWORK_CODES.has(code) || /socket hang up|timeout/i.test(message)) {
    return { kind: "retriable", status: undefined, message: text };
  }
  return { kind: "fatal", status: undefined, message: text };
}
