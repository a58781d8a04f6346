/** What the API shows for a collector: its definition joined with the orchestrator's status. */
import type { CollectorStatus } from "../../orchestrators/generation";
import type { CollectorControl, CollectorDefinition, DataType } from "../../orchestrators/state";
import { endpointUrl } from "../collectors/dataTypes";
import { DEFAULT_CHATGPT_COMPLIANCE_BASE_URL } from "../config";
import type { ComplianceOptions } from "../compliance/streams";

/** The log-file listing a compliance collector polls (its workspace's, else its organization's). */
export function complianceLogsUrl(complianceBaseUrl: string, definition: CollectorDefinition): string {
  const { workspaceId, organizationId } = definition.compliance ?? {};
  const scope = workspaceId ? `workspaces/${workspaceId}` : `organizations/${organizationId ?? ""}`;
  return `${complianceBaseUrl.replace(/\/+$/, "")}/${scope}/logs`;
}

/** The parts of an orchestration status the view reads. */
export interface InstanceStatusLike {
  readonly runtimeStatus: string;
  readonly customStatus?: unknown;
}

/** A collector as the API returns it. */
export interface CollectorView {
  id: string;
  friendlyName: string;
  dataType: DataType;
  url: string;
  apiKeySecretName: string;
  pollIntervalSeconds: number;
  startTime: string;
  desired: "running" | "stopped";
  status: string;
  rowsIngested: number;
  /** Seconds between now and the newest event collected (the management API computes it at the request's time). */
  lag: number | null;
  lastSuccessAt: string | null;
  lastError: CollectorStatus["lastError"];
  nextRunAt: string | null;
  definitionVersion: number;
  /** complianceLogs only: workspace/organization, event types, the conversation-message opt-in. */
  compliance?: ComplianceOptions;
  /** Usage families read (usage collectors that name them; all when absent). */
  families?: readonly string[];
  /** Bucket width (usage collectors that set it; `1h` when absent). */
  bucketWidth?: string;
  cursor?: Record<string, unknown>;
  /** Audit collectors: each scope (collecting / unavailable with the server's reason), unknown event types seen. */
  audit?: CollectorStatus["audit"];
}

function isCollectorStatus(value: unknown): value is CollectorStatus {
  return typeof value === "object" && value !== null && "state" in value && "rowsIngested" in value;
}

/** Operator-facing status: the orchestrator's own word, or what the instance state implies. */
export function statusName(control: CollectorControl, instance: InstanceStatusLike | undefined): string {
  const custom = instance && isCollectorStatus(instance.customStatus) ? instance.customStatus : undefined;
  if (!instance) return control.desired === "stopped" ? "stopped" : "notRunning";
  if (instance.runtimeStatus === "Failed") return "failed";
  if (instance.runtimeStatus === "Terminated" || instance.runtimeStatus === "Completed") return control.desired === "stopped" ? "stopped" : "notRunning";
  if (control.desired === "stopped" && custom?.state !== "stopped") return "stopping";
  if (control.desired === "running" && custom?.state === "stopped") return "starting";
  return custom?.state ?? "starting";
}

/**
 * Seconds from `nowMs` back to the newest event collected, computed now from the status's
 * `newestEventAt` (so it keeps growing while a collector is stopped, unauthorized or backing off);
 * for a status written before that field existed, its `lagSeconds` plus the time since the status
 * was last updated. Null before the first event or without an instance.
 */
export function liveLagSeconds(instance: (InstanceStatusLike & { readonly lastUpdatedTime?: Date | string }) | undefined, nowMs: number): number | null {
  const custom = instance && isCollectorStatus(instance.customStatus) ? instance.customStatus : undefined;
  if (!custom) return null;
  if (typeof custom.newestEventAt === "string") return Math.max(0, Math.floor((nowMs - Date.parse(custom.newestEventAt)) / 1000));
  if (custom.lagSeconds === null || custom.lagSeconds === undefined) return null;
  const updated = instance?.lastUpdatedTime === undefined ? NaN : new Date(instance.lastUpdatedTime).getTime();
  return Number.isNaN(updated) ? custom.lagSeconds : custom.lagSeconds + Math.max(0, Math.floor((nowMs - updated) / 1000));
}

/** Builds the view. `withCursor` adds the cursor summary (single-collector GET). */
export function collectorView(control: CollectorControl, instance: InstanceStatusLike | undefined, openaiBaseUrl: string, withCursor = false,
  complianceBaseUrl: string = DEFAULT_CHATGPT_COMPLIANCE_BASE_URL): CollectorView {
  const d = control.definition;
  const custom = instance && isCollectorStatus(instance.customStatus) ? instance.customStatus : undefined;
  return {
    id: d.id, friendlyName: d.friendlyName, dataType: d.dataType, apiKeySecretName: d.apiKeySecretName,
    url: d.dataType === "complianceLogs" ? complianceLogsUrl(complianceBaseUrl, d) : endpointUrl(openaiBaseUrl, d.dataType),
    pollIntervalSeconds: d.pollIntervalSeconds, startTime: d.startTime, desired: control.desired, status: statusName(control, instance),
    rowsIngested: custom?.rowsIngested ?? 0, lag: custom?.lagSeconds ?? null, lastSuccessAt: custom?.lastSuccessAt ?? null,
    lastError: custom?.lastError ?? null, nextRunAt: custom?.nextRunAt ?? null, definitionVersion: d.version,
    ...(d.compliance ? { compliance: d.compliance } : {}),
    ...(d.families ? { families: d.families } : {}), ...(d.bucketWidth ? { bucketWidth: d.bucketWidth } : {}),
    ...(custom?.audit ? { audit: custom.audit } : {}),
    ...(withCursor ? { cursor: custom?.cursor ?? {} } : {}),
  };
}
