/**
 * The typed, versioned state an eternal collector carries from one generation to the next
 * (its `continueAsNew` input), and the control record its entity holds. Only cursors and
 * counts: never records, never keys.
 */
import type { DataType } from "../src/collectors/dataTypes";
import type { ComplianceOptions } from "../src/compliance/streams";
import type { ChatCursor, ChatCursorV2, LegacyCompletionCursor } from "../src/cursors/chatCursor";
import type { ComplianceCursor } from "./planCompliance";
import type { AuditState } from "./auditState";
import type { HealthMark } from "./health";
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
  /** complianceLogs only: workspace/organization, event types, the conversation-message opt-in. */
  readonly compliance?: ComplianceOptions;
  /** Usage families to collect (dataType usage); every family when absent. */
  readonly families?: readonly UsageFamily[];
  /** Bucket width (dataType usage; costs are daily); `1h` when absent. It cannot change. */
  readonly bucketWidth?: BucketWidth;
  /**
   * The collection run the cursor belongs to: a new one at creation and at every reset, never
   * changed by a modify (which keeps the cursor). The orchestrator's state carries the run's id;
   * when the entity names another run, the cursor starts again at that run's start
   * (orchestrators/collectorRun.ts), so whatever order concurrent creates and resets land in, the
   * cursor follows the definition shown. Absent in definitions saved before it existed.
   */
  readonly run?: CollectorRun;
}

/** One collection run of a collector: its id and where its cursor started (ISO-8601). */
export interface CollectorRun {
  readonly id: string;
  readonly startTime: string;
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
   * The late horizon: each poll's late sweep re-reads from this far before the previous sweep
   * began, so an event that becomes visible up to `overlapSeconds` after its effective_at is
   * collected (orchestrators/planAudit.ts).
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
  /** Both audit scopes' cursors and the unknown event types seen (orchestrators/auditState.ts). */
  readonly audit: AuditState | null;
  /** The chat cursor; version 1 cursors persisted by earlier releases are migrated on read. */
  readonly chat: ChatCursor | ChatCursorV2 | LegacyCompletionCursor | null;
  /** Compliance-log streams (absent for other data types). */
  readonly compliance?: ComplianceCursor | null;
  /** Usage and costs collectors' cursor (absent in states of other data types). */
  readonly usage?: UsageCursor | null;
  readonly stats: CollectorStats;
  /** The id of the run ({@link CollectorDefinition.run}) this cursor belongs to; absent in states saved before it existed. */
  readonly runId?: string;
  /**
   * Generations completed so far (absent in states written before it existed: 0). Names each
   * activity scheduling for crash-safe progress (src/delivery/progress.ts); it does not move when
   * a generation is retried.
   */
  readonly generation?: number;
  /**
   * Set while the platform lost an activity of this generation (orchestrators/taskFailure.ts):
   * the next generation plans at `plannedAt` (orchestration time, ms) again, so it schedules the
   * very same activity inputs and each call resumes from the progress it recorded.
   */
  readonly retry?: GenerationRetry;
  /** The last health row written (orchestrators/health.ts): absent before the first, or in states saved before it existed. */
  readonly health?: HealthMark;
}

/** A generation to run again with the same activity inputs. */
export interface GenerationRetry {
  /** Orchestration time the generation was first planned at, ms since the epoch. */
  readonly plannedAt: number;
}

/** A new collector's state (at creation, reset, or when a new run is seen); `runId` names the run. */
export function initialState(collectorId: string, startTimeIso: string, runId?: string): CollectorState {
  return {
    v: 1, collectorId, startTime: Math.floor(Date.parse(startTimeIso) / 1000), audit: null, chat: null,
    stats: { rowsIngested: 0, pages: 0, duplicatesSkipped: 0, lastSuccessAt: null, newestEventAt: null, lastError: null, failures: 0 },
    ...(runId !== undefined ? { runId } : {}),
  };
}
