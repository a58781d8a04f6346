/** Function names, declared once; registration and callers both use these. */

/** The eternal orchestrator, one instance per collector. */
export const COLLECTOR_ORCHESTRATOR = "collectorOrchestrator";
/** The entity holding a collector's definition and desired run state. */
export const COLLECTOR_ENTITY = "collector";
/** Activity: move audit-log pages of one time slice. */
export const AUDIT_SLICE_ACTIVITY = "collectAuditSlice";
/** Activity: the late sweeps of an idle audit collector's scopes in one call (orchestrators/auditGeneration.ts `idleSweeps`). */
export const AUDIT_SLICES_ACTIVITY = "collectAuditSlices";
/** Activity: move chat-completion pages of one segment of a pass. */
export const CHAT_PAGES_ACTIVITY = "collectChatCompletions";
/** Activity: move the log files of one ChatGPT compliance-log stream. */
export const COMPLIANCE_LOGS_ACTIVITY = "collectComplianceLogs";
/** Activity: move usage or costs buckets of one slice (or re-read settled ones). */
export const USAGE_BUCKETS_ACTIVITY = "collectUsageBuckets";
/** Activity: write one generation's row to the connector health table (best effort). */
export const CONNECTOR_HEALTH_ACTIVITY = "writeConnectorHealth";
/** Activity: find anchors that split a chat-completions backlog into segments. */
export const CHAT_ANCHORS_ACTIVITY = "findChatCompletionAnchors";
/** The entity holding a collector's crash-safe page progress (src/delivery/progressEntity.ts). */
export const DELIVERY_PROGRESS_ENTITY = "deliveryProgress";
/** External event that wakes an idle or stopped collector to re-read its definition. */
export const WAKE_EVENT = "wake";

/** Orchestration instance id of a collector. */
export function collectorInstanceId(collectorId: string): string {
  return `collector-${collectorId}`;
}

/** Collector id of an orchestration instance id, or undefined for other instances. */
export function collectorIdOfInstance(instanceId: string): string | undefined {
  return instanceId.startsWith("collector-") ? instanceId.slice("collector-".length) : undefined;
}
