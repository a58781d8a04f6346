/**
 * Operations on a collector through the durable client, shared by the management API and the
 * reconciler: read its control record, start or revive its orchestrator (never a second
 * instance), terminate and purge it.
 */
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { COLLECTOR_ENTITY, COLLECTOR_ORCHESTRATOR, collectorInstanceId, WAKE_EVENT } from "../../orchestrators/names";
import { initialState, type CollectorControl, type CollectorDefinition, type CollectorState } from "../../orchestrators/state";
import { DEFAULT_POLL_INTERVAL_SECONDS, type CollectorBody } from "./definitionInput";

/** Default look-back of a new collector without startTime. */
export const DEFAULT_LOOKBACK_SECONDS = 86_400;
const ACTIVE = new Set(["Running", "Pending", "ContinuedAsNew", "Suspended"]);

/** The collector's entity id. */
export function collectorEntityId(id: string): df.EntityId {
  return new df.EntityId(COLLECTOR_ENTITY, id);
}

/** The control record, or undefined for an unknown collector. */
export async function readControl(client: DurableClient, id: string): Promise<CollectorControl | undefined> {
  const entity = await client.readEntityState<CollectorControl>(collectorEntityId(id));
  return entity.entityExists && entity.entityState ? entity.entityState : undefined;
}

/** The orchestration status, or undefined when there is no instance (the JS client throws on 404). */
export async function instanceStatus(client: DurableClient, id: string): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(collectorInstanceId(id), { showInput: true });
  } catch (error) {
    if (/404/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** Whether an orchestration status is an active one. */
export function isActive(status: DurableOrchestrationStatus | undefined): boolean {
  return status !== undefined && ACTIVE.has(String(status.runtimeStatus));
}

function isState(value: unknown, id: string): value is CollectorState {
  return typeof value === "object" && value !== null && (value as CollectorState).v === 1 && (value as CollectorState).collectorId === id;
}

/** Wakes an idle or stopped collector so it re-reads its record. A lost wake is harmless. */
export async function wake(client: DurableClient, id: string): Promise<void> {
  await client.raiseEvent(collectorInstanceId(id), WAKE_EVENT, null).catch(() => undefined);
}

/**
 * Makes sure the collector's orchestrator runs: wakes an active one; otherwise starts one from the
 * last kept state (resuming its cursor), or from `fresh`, or from the definition's startTime.
 */
export async function ensureRunning(client: DurableClient, control: CollectorControl, fresh?: CollectorState): Promise<"woken" | "started"> {
  const id = control.definition.id;
  const status = await instanceStatus(client, id);
  if (isActive(status)) {
    await wake(client, id);
    return "woken";
  }
  const input = fresh ?? (isState(status?.input, id) ? status.input : initialState(id, control.definition.startTime));
  try {
    await client.startNew(COLLECTOR_ORCHESTRATOR, { instanceId: collectorInstanceId(id), input });
  } catch (error) {
    // Another caller started it first: starting is idempotent.
    if (!isActive(await instanceStatus(client, id))) throw error;
  }
  return "started";
}

/** Terminates the collector's instance (waiting until it settles) and purges its history. */
export async function terminateAndPurge(client: DurableClient, id: string, reason: string, timeoutMs: number): Promise<void> {
  const instanceId = collectorInstanceId(id);
  let status = await instanceStatus(client, id);
  if (isActive(status)) {
    await client.terminate(instanceId, reason);
    const deadline = Date.now() + timeoutMs;
    while (isActive(status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = await instanceStatus(client, id);
    }
    if (isActive(status)) throw new Error(`collector ${id} did not stop within ${timeoutMs} ms; try again`);
  }
  if (status) await client.purgeInstanceHistory(instanceId);
}

/** The definition a body produces, on top of an existing one. */
export function definitionFrom(id: string, body: CollectorBody, existing: CollectorDefinition | undefined, nowMs: number): CollectorDefinition {
  return {
    id, dataType: body.dataType, friendlyName: body.friendlyName, apiKeySecretName: body.apiKeySecretName,
    pollIntervalSeconds: body.pollIntervalSeconds ?? existing?.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS,
    startTime: body.startTime ? new Date(body.startTime).toISOString() : existing?.startTime ?? new Date(nowMs - DEFAULT_LOOKBACK_SECONDS * 1000).toISOString(),
    version: (existing?.version ?? 0) + 1,
    // Usage fields left out of a change keep their value, like pollIntervalSeconds.
    ...usageFields(body.families ?? existing?.families, body.bucketWidth ?? existing?.bucketWidth),
  };
}

function usageFields(families: CollectorDefinition["families"], bucketWidth: CollectorDefinition["bucketWidth"]): Pick<CollectorDefinition, "families" | "bucketWidth"> {
  return { ...(families ? { families } : {}), ...(bucketWidth ? { bucketWidth } : {}) };
}

/** Creates a collector: its record, then a fresh orchestrator (purging any leftover instance of the id). */
export async function createCollector(client: DurableClient, id: string, body: CollectorBody, nowMs: number, settleTimeoutMs: number): Promise<CollectorControl> {
  const control: CollectorControl = { definition: definitionFrom(id, body, undefined, nowMs), desired: "running" };
  await client.signalEntity(collectorEntityId(id), "configure", control);
  await terminateAndPurge(client, id, "replaced by a new collector", settleTimeoutMs);
  await ensureRunning(client, control, initialState(id, control.definition.startTime));
  return control;
}
