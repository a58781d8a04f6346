/**
 * The reconciler: collectors declared at deployment (the COLLECTORS setting, from the Bicep
 * parameters) are created when missing, and every collector whose entity says it should run but
 * whose orchestration instance is not active (Failed, Terminated or Completed unexpectedly, or
 * gone) is revived from its last kept state. A collector stopped through the API stays stopped,
 * a definition changed through the API is not overwritten, and the ended instance of a deleted
 * collector is purged.
 */
import type { DurableClient } from "durable-functions";
import { z } from "zod";
import { ConfigError } from "../config";
import { addToIndex, knownCollectors } from "./collectorIndex";
import { collectorBodySchema, COLLECTOR_ID_PATTERN, startTimeProblems, validate } from "./definitionInput";
import { createCollector, ensureRunning, isActive, readControl } from "./collectorOps";

/** One declared collector. */
export const declaredCollectorSchema = collectorBodySchema.extend({ id: z.string().regex(COLLECTOR_ID_PATTERN, "must be 1-64 characters of a-z, 0-9 and '-'") });
/** A declared collector. */
export type DeclaredCollector = z.infer<typeof declaredCollectorSchema>;

/**
 * Parses the COLLECTORS setting (a JSON array) at wall-clock `nowMs` (start times are checked like
 * the API's: real dates, not in the future, not before the data type's floor); throws
 * {@link ConfigError} naming the entry and field at fault.
 */
export function parseDeclaredCollectors(json: string | undefined, nowMs: number = Date.now()): DeclaredCollector[] {
  if (json === undefined || json.trim() === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError("COLLECTORS", "must be a JSON array of collectors");
  }
  if (!Array.isArray(value)) throw new ConfigError("COLLECTORS", "must be a JSON array of collectors");
  const collectors = value.map((entry: unknown, i) => {
    const checked = validate(declaredCollectorSchema, entry, startTimeProblems(entry, nowMs));
    if (!checked.ok) throw new ConfigError("COLLECTORS", `entry ${i}: ${checked.problems.map((p) => p.message).join("; ")}`);
    return checked.value;
  });
  const ids = collectors.map((c) => c.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new ConfigError("COLLECTORS", `declares collector "${duplicate}" twice`);
  return collectors;
}

/** What the reconciler did to one collector. */
export type ReconcileAction = "created" | "revived" | "running" | "leftStopped" | "createdElsewhere" | "purged";

/**
 * Reconciles every collector: creates the declared ones that are missing, revives every one that
 * should run and has no active instance; returns what happened to each (ids in order).
 */
export async function reconcile(client: DurableClient, declared: readonly DeclaredCollector[], nowMs: number): Promise<Record<string, ReconcileAction>> {
  const actions: Record<string, ReconcileAction> = {};
  const known = await knownCollectors(client);
  const knownIds = new Set(known.map((k) => k.id));
  for (const { id, ...body } of declared) {
    if (knownIds.has(id) && await readControl(client, id)) continue;
    const created = await createCollector(client, id, body, nowMs, 30_000);
    actions[id] = created.outcome === "created" ? "created" : "createdElsewhere";
  }
  for (const { id, status, indexed } of known) {
    if (actions[id]) continue;
    const control = await readControl(client, id);
    if (!control) {
      // A deleted collector's instance that ended after the delete (a reset racing it): nothing reads it any more.
      if (status && !isActive(status)) {
        await client.purgeInstanceHistory(status.instanceId);
        actions[id] = "purged";
      }
      continue;
    }
    // Collectors created before the index existed are found through their instance: index them.
    if (!indexed) await addToIndex(client, id);
    if (control.desired === "stopped") actions[id] = "leftStopped";
    else if (isActive(status)) actions[id] = "running";
    else {
      await ensureRunning(client, control);
      actions[id] = "revived";
    }
  }
  return Object.fromEntries(Object.entries(actions).sort(([a], [b]) => a.localeCompare(b)));
}
