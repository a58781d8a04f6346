/**
 * The collector index: one entity (`collectorIndex`, key `all`) holding the id of every
 * collector, so the reconciler and the list can find a collector whose orchestration instance is
 * gone (a crash between purging and starting it), which no instance query returns. The
 * durable-functions client has no entity listing, so the app keeps its own.
 *
 * Collectors created before the index existed are found through their instances and added by the
 * reconciler.
 */
import * as df from "durable-functions";
import type { DurableClient, EntityContext, EntityHandler } from "durable-functions";
import { COLLECTOR_ORCHESTRATOR, collectorIdOfInstance } from "../../orchestrators/names";

/** The index entity's name and its one key. */
export const COLLECTOR_INDEX_ENTITY = "collectorIndex";
const INDEX_KEY = "all";

/** Operations of the index: `add` and `remove` take a collector id. */
export type CollectorIndexOperation = "add" | "remove";

/** The index entity: a sorted list of collector ids. */
export const collectorIndexEntity: EntityHandler<string[]> = (context: EntityContext<string[]>) => {
  const ids = context.df.getState(() => []) ?? [];
  const id = context.df.getInput<string>();
  if (typeof id !== "string") return;
  switch (context.df.operationName as CollectorIndexOperation) {
    case "add":
      if (!ids.includes(id)) context.df.setState([...ids, id].sort());
      return;
    case "remove":
      if (ids.includes(id)) context.df.setState(ids.filter((x) => x !== id));
      return;
    default:
      throw new Error(`unknown operation ${context.df.operationName}`);
  }
};

const INDEX = new df.EntityId(COLLECTOR_INDEX_ENTITY, INDEX_KEY);

/** Adds `id` to the index (idempotent). */
export function addToIndex(client: DurableClient, id: string): Promise<void> {
  return client.signalEntity(INDEX, "add", id);
}

/** Removes `id` from the index (idempotent). */
export function removeFromIndex(client: DurableClient, id: string): Promise<void> {
  return client.signalEntity(INDEX, "remove", id);
}

/** The ids in the index (empty before the first collector). */
export async function indexedCollectorIds(client: DurableClient): Promise<string[]> {
  const entity = await client.readEntityState<string[]>(INDEX);
  return entity.entityExists && Array.isArray(entity.entityState) ? entity.entityState : [];
}

/**
 * Every known collector with its instance status (undefined when it has none) and whether the index
 * holds it: the ids in the index and those of collector instances (which covers collectors created
 * before the index), sorted.
 * One instance query for all (`getStatusAll`), so no per-collector status read is needed.
 */
export async function knownCollectors(client: DurableClient): Promise<Array<{ id: string; status: df.DurableOrchestrationStatus | undefined; indexed: boolean }>> {
  const statuses = new Map<string, df.DurableOrchestrationStatus>();
  for (const status of await client.getStatusAll()) {
    if (String(status.name).toLowerCase() !== COLLECTOR_ORCHESTRATOR.toLowerCase()) continue;
    const id = collectorIdOfInstance(status.instanceId);
    if (id !== undefined) statuses.set(id, status);
  }
  const indexed = new Set(await indexedCollectorIds(client));
  return [...new Set([...indexed, ...statuses.keys()])].sort().map((id) => ({ id, status: statuses.get(id), indexed: indexed.has(id) }));
}
