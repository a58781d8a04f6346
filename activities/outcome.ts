/**
 * Outcomes that cross the activity → orchestrator boundary. Error classes do not survive that
 * boundary (they arrive as a plain Error), so everything the orchestrator branches on is
 * *returned* as a tagged union; only unexpected faults are thrown.
 */
import { isOpenAIError } from "../src/openai/failures";
import { MalformedResponseError } from "../src/openai/parse";
import { redactSecrets } from "../src/redact";
import { isSecretReadError } from "../src/secrets/keyVaultFailures";
import { isSentinelError } from "../src/sentinel/failures";

/** Default wait after a 429 that named no delay. */
export const DEFAULT_THROTTLE_MS = 30_000;
/** Wait after a quota 429: it needs a person, so poll for the fix slowly. */
export const QUOTA_BACKOFF_MS = 15 * 60_000;

/** How a page activity ended. */
export type Outcome =
  | { readonly kind: "ok" }
  /** Back off for `retryAfterMs` and try again. */
  | { readonly kind: "throttled"; readonly retryAfterMs: number; readonly message: string }
  /** The `after` cursor is no longer accepted; the slice must restart. */
  | { readonly kind: "cursorInvalid"; readonly message: string }
  /** The key (or the identity's role) is wrong; retry slowly until someone fixes it. */
  | { readonly kind: "unauthorized"; readonly message: string }
  /** Anything else; retriable ones are brief faults that outlasted the in-call retries. */
  | { readonly kind: "failed"; readonly retriable: boolean; readonly message: string };

/** The error as an outcome; throws it again when it is not one this app knows. */
export function outcomeOf(error: unknown, secrets: readonly string[] = []): Outcome {
  const clean = (m: string) => redactSecrets(m, secrets);
  if (isOpenAIError(error)) {
    const f = error.failure;
    switch (f.kind) {
      case "unauthorized": return { kind: "unauthorized", message: clean(f.message) };
      case "cursorInvalid": return { kind: "cursorInvalid", message: clean(f.message) };
      case "throttled": return { kind: "throttled", retryAfterMs: f.quota ? QUOTA_BACKOFF_MS : f.retryAfterMs ?? DEFAULT_THROTTLE_MS, message: clean(f.message) };
      case "retriable": return { kind: "failed", retriable: true, message: clean(f.message) };
      default: return { kind: "failed", retriable: false, message: clean(f.message) };
    }
  }
  if (isSentinelError(error)) {
    const f = error.failure;
    if (f.kind === "throttled") return { kind: "throttled", retryAfterMs: f.retryAfterMs ?? DEFAULT_THROTTLE_MS, message: clean(f.message) };
    if (f.kind === "fatal" && (f.status === 401 || f.status === 403)) return { kind: "unauthorized", message: clean(f.message) };
    return { kind: "failed", retriable: f.kind === "retriable", message: clean(f.message) };
  }
  if (isSecretReadError(error)) {
    const f = error.failure;
    if (f.status === 401 || f.status === 403) return { kind: "unauthorized", message: f.message };
    return { kind: "failed", retriable: f.kind === "retriable", message: f.message };
  }
  // A self-contradicting listing (e.g. a cursor repeated across pages): the cursor stays, the next try continues.
  if (error instanceof MalformedResponseError) return { kind: "failed", retriable: true, message: `malformed response: ${clean(error.message)}` };
  throw error;
}
