/**
 * The typed, versioned state an eternal collector carries from one generation to the next
 * (its `continueAsNew` input), and the control record its entity holds. Only cursors and
 * counts: never records, never keys.
 */
import type { DataType } from "../src/collectors/dataTypes";
import type { ChatCursor, LegacyCompletionCursor } from "../src/cursors/chatCursor";
import type { BucketWidth, UsageFamily } from "../src/usage/series";
import type { UsageCursor } from "./planUsage";

/** Which data a collector reads (the registry in src/collectors/dataTypes.ts). */
export type { DataType };

/** A collector as the user defined it (PUT /api/collectors/{id}). Holds a secret name, never a key. */
export interface CollectorDefinition {
  readonly id: string;
  readonly dataType: DataType;
  readonly friendlyName: string;
  readonly apiKeySecretName: string;
  readonly pollIntervalSeconds: number;
  /** ISO-8601; the first collection (and a reset) starts here. */
  readonly startTime: string;
  /** Incremented on every change. */
  readonly version: number;
  /** Usage families to collect (dataType usage); every family when absent. */
  readonly families?: readonly UsageFamily[];
  /** Bucket width (dataType usage; costs are daily); `1h` when absent. It cannot change. */
  readonly bucketWidth?: BucketWidth;
}

/** App-wide tuning, read from settings by the entity and recorded in history. */
export interface RuntimeSettings {
  /** Page activities at once per collector. */
  readonly parallelism: number;
  /** Pages one audit activity call moves at most. */
  readonly maxPagesPerActivity: number;
  /** Pages one chat-completions activity call moves at most (one segment of a pass; see orchestrators/planChat.ts). */
  readonly chatPagesPerActivity: number;
  /**
   * Stored completions are re-read this far below the previous pass's start, to catch the ones that
   * become listable late (CHAT_LATE_HORIZON_SECONDS). Absent in histories recorded before it existed.
   */
  readonly chatLateHorizonSeconds?: number;
  /** Audit logs newer than now − lag are left for the next poll. */
  readonly lagSeconds: number;
  /**
   * Audit logs are re-read this far back when caught up, to catch late arrivals: an event that
   * becomes visible up to `overlapSeconds − pollIntervalSeconds` after its effective_at is collected.
   */
  readonly overlapSeconds: number;
}

/** What the collector entity holds. */
export interface CollectorControl {
  readonly definition: CollectorDefinition;
  readonly desired: "running" | "stopped";
}

/** What `get` on the entity returns: the control record plus current settings. */
export interface CollectorControlView extends CollectorControl {
  readonly settings: RuntimeSettings;
}

/** One audit time slice being drained: [gte, lt) continuing after `after`. */
export interface AuditSlice {
  readonly gte: number;
  readonly lt: number;
  readonly after: string | null;
}

/** The audit-log cursor. Every slice in [watermark, frontier) not in `inFlight` is delivered. */
export interface AuditCursor {
  /** The collector's start time: nothing before it is ever read. */
  readonly origin: number;
  /** Everything before this Unix second is delivered (late arrivals aside). */
  readonly watermark: number;
  /** End of the furthest slice ever planned. */
  readonly frontier: number;
  readonly inFlight: readonly AuditSlice[];
  /** Width of new slices, adapted to event density. */
  readonly sliceSeconds: number;
  /** The late sweep in progress (resumed like any slice) and when it started; null when none is. */
  readonly late: { readonly slice: AuditSlice; readonly startedAt: number } | null;
  /**
   * When the last completed late sweep started (Unix s). The late window reaches back
   * `overlapSeconds` before it, so a delay (throttling, an outage) never lets an event slip
   * between two sweeps; null before the first one.
   */
  readonly lateSweptAt: number | null;
  /** `<effective_at>:<digest>` of events delivered inside the late-arrival window. */
  readonly recent: readonly string[];
}

/** The last failure, shown in status. Never contains a secret. */
export interface LastError {
  readonly at: string;
  readonly kind: string;
  readonly message: string;
}

/** Counters shown in status. */
export interface CollectorStats {
  readonly rowsIngested: number;
  readonly pages: number;
  readonly duplicatesSkipped: number;
  readonly lastSuccessAt: string | null;
  /** Newest event time delivered, Unix seconds. */
  readonly newestEventAt: number | null;
  readonly lastError: LastError | null;
  /** Consecutive generations that ended in a failure. */
  readonly failures: number;
}

/** The orchestration input / continueAsNew state. */
export interface CollectorState {
  readonly v: 1;
  readonly collectorId: string;
  /** Unix seconds collection starts from (set at creation and by reset). */
  readonly startTime: number;
  readonly audit: AuditCursor | null;
  /** The chat cursor; version 1 cursors persisted by earlier releases are migrated on read. */
  readonly chat: ChatCursor | LegacyCompletionCursor | null;
  /** Usage and costs collectors' cursor (absent in states of other data types). */
  readonly usage?: UsageCursor | null;
  readonly stats: CollectorStats;
}

/** A new collector's state. */
export function initialState(collectorId: string, startTimeIso: string): CollectorState {
  return {
    v: 1, collectorId, startTime: Math.floor(Date.parse(startTimeIso) / 1000), audit: null, chat: null,
    stats: { rowsIngested: 0, pages: 0, duplicatesSkipped: 0, lastSuccessAt: null, newestEventAt: null, lastError: null, failures: 0 },
  };
}
