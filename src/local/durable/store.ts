/**
 * What the local durable host needs from persistence: the saved state at start-up, and to be told
 * which instance or entity changed. The host keeps every live record in memory; a store writes
 * only the records it is told about, never the whole state.
 */
import type { EntityRecord, HostSnapshot, InstanceRecord } from "./records";

/** One changed record: an orchestration instance (by instance id) or an entity (by `@name@key`). */
export type HostChange = { readonly instanceId: string } | { readonly entityId: string };

/** Where a store reads the current version of a record it was told changed (the host's maps). */
export interface RecordSource {
  /** The live instance, or undefined once it was purged. */
  instance(instanceId: string): InstanceRecord | undefined;
  /** The live entity, or undefined once it was deleted. */
  entity(entityId: string): EntityRecord | undefined;
}

/** Counters a store keeps for reports (soak benchmark). */
export interface StoreStats {
  /** Transactions committed. */
  readonly transactions: number;
  /** Rows inserted, replaced or deleted. */
  readonly rowsWritten: number;
  /** Bytes of record text handed to the database (JSON, UTF-8), not counting its page overhead. */
  readonly payloadBytes: number;
  /** The most record bytes one transaction wrote. */
  readonly largestTransactionBytes: number;
}

/** Persistence of the local durable host. */
export interface DurableStore {
  /** The saved state, or undefined on a first start. Call once, before the host runs. */
  load(): HostSnapshot | undefined;
  /**
   * Notes that a record changed. `urgent` marks an activity result (its rows are already
   * delivered, so losing it would mean reading those pages again): it is written before this
   * returns; other changes are written within a short interval, coalesced.
   */
  changed(change: HostChange, urgent: boolean): void;
  /** Writes every pending change now. */
  flush(): void;
  /** Writes pending changes and releases the store; no call is valid afterwards. */
  close(): void;
  readonly stats: StoreStats;
}

/** A problem with the durable state files; the message names the file and what to do. */
export class DurableStateError extends Error {
  constructor(readonly file: string, message: string) {
    super(message);
    this.name = "DurableStateError";
  }
}
