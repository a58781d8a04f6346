/**
 * The memory of audit events already delivered inside the late-arrival window, kept outside
 * orchestration history.
 *
 * Why outside: a late sweep re-reads the last `AUDIT_OVERLAP_SECONDS` and must skip what was
 * delivered. Telling a new late event from a delivered one needs, per sweep, information that
 * grows with the number of late arrivals (any exact encoding — id lists, digests, set-reconciliation
 * sketches — is at least proportional to them), so no in-history form stays bounded "at any event
 * rate": at 3 events/s the id list alone made the continueAsNew input 234 KB. The ledger keeps the
 * digests in Azure Table storage of the Functions storage account (the one that holds the task
 * hub: same durability, same identity-based access, no new resource), and the orchestration
 * history carries only slice bounds.
 *
 * Guarantees: rows are written only after the Logs Ingestion API accepted the page (so the ledger
 * never claims an undelivered event: nothing can be lost through it); a write that fails or never
 * happens (crash) can only cause that page to be delivered again, the same at-least-once edge as
 * any interrupted activity. Reading returns a superset (whole buckets), which is safe because a
 * listing of [gte, lt) only ever returns ids of that range.
 */
import { createHash } from "node:crypto";
import type { AuditScope } from "../audit/eventTypes";

/** The ledger could not be read or written (storage unreachable, throttled, refused). Retriable. */
export class LedgerError extends Error {
  override readonly name = "LedgerError";
}

/** Type guard for {@link LedgerError}. */
export function isLedgerError(error: unknown): error is LedgerError {
  return error instanceof LedgerError;
}

/** Whose memory: one collector and one scope. */
export interface LedgerKey {
  readonly collectorId: string;
  readonly scope: AuditScope;
}

/** One delivered event: its effective_at (Unix s) and the 10-character `idDigest` of its id. */
export interface LedgerEntry {
  readonly effectiveAt: number;
  readonly digest: string;
}

/** Per-call options. */
export interface LedgerOptions {
  readonly abortSignal?: AbortSignal;
}

/** The delivered-id memory (Azure Table storage in production, the local Table fake elsewhere). */
export interface DeliveredLedger {
  /** Digests recorded for `key` with effective_at in buckets overlapping [gte, lt) (a superset of that range). */
  delivered(key: LedgerKey, gte: number, lt: number, options?: LedgerOptions): Promise<Set<string>>;
  /** Records delivered events. Idempotent: recording the same entries again writes the same rows. */
  record(key: LedgerKey, entries: readonly LedgerEntry[], options?: LedgerOptions): Promise<void>;
  /** Forgets rows of buckets that end at or before `before` (Unix s); returns how many rows went. */
  prune(key: LedgerKey, before: number, options?: LedgerOptions): Promise<number>;
  /**
   * {@link prune} to `before`, then {@link delivered} for [gte, lt), as one listing where the store
   * allows (the Table ledger lists the partition up to the window's end once: one request for a
   * late sweep that forgets nothing, instead of two). Returns the digests and how many rows went.
   */
  pruneAndRead(key: LedgerKey, before: number, gte: number, lt: number, options?: LedgerOptions): Promise<{ delivered: Set<string>; pruned: number }>;
}

/** Width of one ledger bucket, seconds (a row holds one bucket's digests from one page). */
export const LEDGER_BUCKET_SECONDS = 60;
/** Digest length of `idDigest` (activities/idDigest.ts), characters. */
export const DIGEST_CHARS = 10;

/** Table partition of a key: `<collectorId>.<scope>` (collector ids are `a-z0-9-`, valid in keys). */
export function partitionOf(key: LedgerKey): string {
  return `${key.collectorId}.${key.scope}`;
}

/** Sortable row-key prefix of the bucket holding `seconds`. */
export function bucketPrefix(seconds: number): string {
  return String(Math.floor(seconds / LEDGER_BUCKET_SECONDS) * LEDGER_BUCKET_SECONDS).padStart(11, "0");
}

/** One row to write: its row key (bucket + content digest, so a retry rewrites the same row) and digests. */
export interface LedgerRow {
  readonly rowKey: string;
  readonly digests: string;
}

/** Groups entries into one row per bucket. Pure. */
export function ledgerRows(entries: readonly LedgerEntry[]): LedgerRow[] {
  const byBucket = new Map<string, string[]>();
  for (const e of entries) {
    const prefix = bucketPrefix(e.effectiveAt);
    const list = byBucket.get(prefix) ?? [];
    list.push(e.digest);
    byBucket.set(prefix, list);
  }
  return [...byBucket].map(([prefix, digests]) => {
    const joined = [...digests].sort().join("");
    return { rowKey: `${prefix}-${createHash("sha1").update(joined).digest("hex").slice(0, 16)}`, digests: joined };
  });
}

/** Splits a row's digest string back into digests. Pure. */
export function digestsOf(joined: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + DIGEST_CHARS <= joined.length; i += DIGEST_CHARS) out.push(joined.slice(i, i + DIGEST_CHARS));
  return out;
}
