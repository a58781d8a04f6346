/** What the API shows for a collector: its definition joined with the orchestrator's status. */
import type { CollectorStatus } from "../../orchestrators/generation";
import type { CollectorControl, DataType } from "../../orchestrators/state";
import { endpointUrl } from "../collectors/dataTypes";

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
  /** Seconds between now and the newest event collected. */
  lag: number | null;
  lastSuccessAt: string | null;
  lastError: CollectorStatus["lastError"];
  nextRunAt: string | null;
  definitionVersion: number;
  /** Usage families read (usage collectors that name them; all when absent). */
  families?: readonly string[];
  /** Bucket width (usage collectors that set it; `1h` when absent). */
  bucketWidth?: string;
  cursor?: Record<string, unknown>;
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

/** Builds the view. `withCursor` adds the cursor summary (single-collector GET). */
export function collectorView(control: CollectorControl, instance: InstanceStatusLike | undefined, openaiBaseUrl: string, withCursor = false): CollectorView {
  const d = control.definition;
  const custom = instance && isCollectorStatus(instance.customStatus) ? instance.customStatus : undefined;
  return {
    id: d.id, friendlyName: d.friendlyName, dataType: d.dataType, url: endpointUrl(openaiBaseUrl, d.dataType), apiKeySecretName: d.apiKeySecretName,
    pollIntervalSeconds: d.pollIntervalSeconds, startTime: d.startTime, desired: control.desired, status: statusName(control, instance),
    rowsIngested: custom?.rowsIngested ?? 0, lag: custom?.lagSeconds ?? null, lastSuccessAt: custom?.lastSuccessAt ?? null,
    lastError: custom?.lastError ?? null, nextRunAt: custom?.nextRunAt ?? null, definitionVersion: d.version,
    ...(d.families ? { families: d.families } : {}), ...(d.bucketWidth ? { bucketWidth: d.bucketWidth } : {}),
    ...(withCursor ? { cursor: custom?.cursor ?? {} } : {}),
  };
}
