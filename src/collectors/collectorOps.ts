/**
 * Operations on a collector through the durable client, shared by the management API and the
 * reconciler: read its control record, start or revive its orchestrator (never a second
 * instance), terminate and purge it.
 */
import { randomUUID } from "node:crypto";
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { COLLECTOR_ENTITY, COLLECTOR_ORCHESTRATOR, collectorInstanceId, WAKE_EVENT } from "../../orchestrators/names";
import { initialState, type CollectorControl, type CollectorDefinition, type CollectorState } from "../../orchestrators/state";
import { progressEntityId } from "../delivery/progressLog";
import type { ModifyInput, ResetInput } from "./collectorEntity";
import { addToIndex, removeFromIndex } from "./collectorIndex";
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
  const run = control.definition.run;
  const input = fresh ?? (isState(status?.input, id) ? status.input : initialState(id, run?.startTime ?? control.definition.startTime, run?.id));
  try {
    await client.startNew(COLLECTOR_ORCHESTRATOR, { instanceId: collectorInstanceId(id), input });
  } catch (error) {
    // Another caller started it first: starting is idempotent.
    if (!isActive(await instanceStatus(client, id))) throw error;
  }
  return "started";
}

/**
 * Terminates the collector's instance (waiting until it settles) and purges its history. An
 * instance started meanwhile by a concurrent request (another reset) is terminated too: the one
 * this request starts next replaces it.
 */
export async function terminateAndPurge(client: DurableClient, id: string, reason: string, timeoutMs: number): Promise<void> {
  const instanceId = collectorInstanceId(id);
  let status = await instanceStatus(client, id);
  const deadline = Date.now() + timeoutMs;
  let terminated: string | undefined;
  while (isActive(status)) {
    const created = String(status!.createdTime);
    if (created !== terminated) {
      try {
        await client.terminate(instanceId, reason);
      } catch (error) {
        // It ended on its own meanwhile (as one does at its first step once its collector is deleted).
        if (isActive(await instanceStatus(client, id))) throw error;
      }
      terminated = created;
    }
    if (Date.now() >= deadline) throw new Error(`collector ${id} did not stop within ${timeoutMs} ms; try again`);
    await new Promise((r) => setTimeout(r, 200));
    status = await instanceStatus(client, id);
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
    ...(body.compliance ? { compliance: body.compliance } : {}),
    // Usage fields left out of a change keep their value, like pollIntervalSeconds.
    ...usageFields(body.families ?? existing?.families, body.bucketWidth ?? existing?.bucketWidth),
  };
}

function usageFields(families: CollectorDefinition["families"], bucketWidth: CollectorDefinition["bucketWidth"]): Pick<CollectorDefinition, "families" | "bucketWidth"> {
  return { ...(families ? { families } : {}), ...(bucketWidth ? { bucketWidth } : {}) };
}

/** What {@link createCollector} did: created the collector, or found one created by a concurrent request. */
export type CreateResult =
  | { readonly outcome: "created"; readonly control: CollectorControl }
  | { readonly outcome: "exists"; readonly control: CollectorControl };

/** Creating or changing a collector was not confirmed by its entity in time (the request may still apply). */
export class NotConfirmedError extends Error {
  override readonly name = "NotConfirmedError";
}

/**
 * Reads the control record until `settled` holds for it, polling (25 ms doubling to 500 ms) for
 * up to `timeoutMs`; throws {@link NotConfirmedError} after that. Signals reach an entity
 * asynchronously, so this is how a handler learns what its signal did.
 */
export async function waitForControl(client: DurableClient, id: string, settled: (control: CollectorControl) => boolean, timeoutMs: number): Promise<CollectorControl> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    const control = await readControl(client, id);
    if (control && settled(control)) return control;
    if (Date.now() >= deadline) throw new NotConfirmedError(`collector ${id}: the change was not confirmed within ${timeoutMs} ms; GET the collector to see its state, and try again if needed`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Creates a collector: its record (the entity applies the first of concurrent creates only; this
 * waits until the entity holds a definition and tells whose it is), then, for the request that
 * created it, a fresh orchestrator of its run (purging any leftover instance of the id). A request
 * that lost the race changes nothing and gets `exists` with the winner's record.
 */
export async function createCollector(client: DurableClient, id: string, body: CollectorBody, nowMs: number, settleTimeoutMs: number): Promise<CreateResult> {
  const definition = definitionFrom(id, body, undefined, nowMs);
  const control: CollectorControl = { definition: { ...definition, run: { id: randomUUID(), startTime: definition.startTime } }, desired: "running" };
  await addToIndex(client, id);
  await client.signalEntity(collectorEntityId(id), "create", control);
  const settled = await waitForControl(client, id, () => true, settleTimeoutMs);
  if (settled.definition.run?.id !== control.definition.run!.id) return { outcome: "exists", control: settled };
  await terminateAndPurge(client, id, "replaced by a new collector", settleTimeoutMs);
  await ensureRunning(client, control, initialState(id, definition.startTime, control.definition.run!.id));
  return { outcome: "created", control };
}

/**
 * Changes a collector's definition: the entity applies `body` on top of its current definition
 * (so concurrent changes never undo each other), then the orchestrator is woken (or started, when
 * it should run and is not). Returns the record as this request expects it to be.
 */
export async function modifyCollector(client: DurableClient, existing: CollectorControl, body: CollectorBody, nowMs: number): Promise<CollectorControl> {
  const id = existing.definition.id;
  const change: ModifyInput = { body, nowMs };
  await client.signalEntity(collectorEntityId(id), "modify", change);
  const run = existing.definition.run;
  const control: CollectorControl = { definition: { ...definitionFrom(id, body, existing.definition, nowMs), ...(run ? { run } : {}) }, desired: existing.desired };
  if (control.desired === "running") await ensureRunning(client, control);
  else await wake(client, id);
  return control;
}

/**
 * Resets a collector to collect again from `startTime` (ISO-8601) in a new run: the entity records
 * the run, the instance is terminated and purged, and a fresh one of the run starts. Should
 * concurrent resets start instances in another order than the entity applied them, the
 * orchestrator follows the run the entity names (orchestrators/collectorRun.ts).
 */
export async function resetCollector(client: DurableClient, existing: CollectorControl, startTime: string, settleTimeoutMs: number): Promise<CollectorControl> {
  const id = existing.definition.id;
  const reset: ResetInput = { startTime, runId: randomUUID() };
  await client.signalEntity(collectorEntityId(id), "reset", reset);
  const control: CollectorControl = { definition: { ...existing.definition, startTime, run: { id: reset.runId, startTime }, version: existing.definition.version + 1 }, desired: "running" };
  await terminateAndPurge(client, id, "reset requested", settleTimeoutMs);
  // The page progress of the purged instance's calls is of no use any more (src/delivery/).
  await client.signalEntity(progressEntityId(id), "clear");
  await ensureRunning(client, control, initialState(id, startTime, reset.runId));
  return control;
}

/**
 * Deletes a collector: stops and purges its instance, then its record and its index entry.
 * Returns the state the instance last started a generation with (null when it had none), for
 * the final health row.
 */
export async function deleteCollector(client: DurableClient, id: string, settleTimeoutMs: number): Promise<CollectorState | null> {
  const status = await instanceStatus(client, id);
  const deadline = Date.now() + settleTimeoutMs;
  await terminateAndPurge(client, id, "collector deleted", settleTimeoutMs);
  await client.signalEntity(progressEntityId(id), "clear");
  await client.signalEntity(collectorEntityId(id), "delete");
  // A concurrent reset or start may have started an instance after the first termination; once
  // the entity is gone, any instance started later ends at its first step (it reads no
  // definition), so one more termination after that leaves none collecting.
  while ((await readControl(client, id)) !== undefined) {
    if (Date.now() >= deadline) throw new Error(`collector ${id} was not deleted within ${settleTimeoutMs} ms; try again`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await terminateAndPurge(client, id, "collector deleted", Math.max(0, deadline - Date.now()));
  await removeFromIndex(client, id);
  return isState(status?.input, id) ? status.input : null;
}
