/**
 * The reconciler: collectors declared at deployment (the COLLECTORS setting, from the Bicep
 * parameters) are created when missing, and revived when their orchestrator ended unexpectedly.
 * A collector stopped through the API stays stopped, and a definition changed through the API is
 * not overwritten.
 */
import type { DurableClient } from "durable-functions";
import { z } from "zod";
import { ConfigError } from "../config";
import { collectorBodySchema, COLLECTOR_ID_PATTERN, dataTypeProblem } from "./definitionInput";
import { createCollector, ensureRunning, instanceStatus, isActive, readControl } from "./collectorOps";

/** One declared collector. */
export const declaredCollectorSchema = collectorBodySchema.extend({ id: z.string().regex(COLLECTOR_ID_PATTERN, "must be 1-64 characters of a-z, 0-9 and '-'") });
/** A declared collector. */
export type DeclaredCollector = z.infer<typeof declaredCollectorSchema>;

/** Parses the COLLECTORS setting (a JSON array); throws {@link ConfigError} naming what is wrong. */
export function parseDeclaredCollectors(json: string | undefined): DeclaredCollector[] {
  if (json === undefined || json.trim() === "") return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError("COLLECTORS", "must be a JSON array of collectors");
  }
  const result = z.array(declaredCollectorSchema).safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError("COLLECTORS", `entry ${issue.path.join(".")}: ${issue.message}`);
  }
  for (const [i, collector] of result.data.entries()) {
    const problem = dataTypeProblem(collector);
    if (problem) throw new ConfigError("COLLECTORS", `entry ${i}.${problem.field}: ${problem.message}`);
  }
  const ids = result.data.map((c) => c.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new ConfigError("COLLECTORS", `declares collector "${duplicate}" twice`);
  return result.data;
}

/** What the reconciler did to one collector. */
export type ReconcileAction = "created" | "revived" | "running" | "leftStopped";

/** Reconciles every declared collector; returns what happened to each. */
export async function reconcile(client: DurableClient, declared: readonly DeclaredCollector[], nowMs: number): Promise<Record<string, ReconcileAction>> {
  const actions: Record<string, ReconcileAction> = {};
  for (const { id, ...body } of declared) {
    const control = await readControl(client, id);
    if (!control) {
      await createCollector(client, id, body, nowMs, 30_000);
      actions[id] = "created";
    } else if (control.desired === "stopped") {
      actions[id] = "leftStopped";
    } else if (isActive(await instanceStatus(client, id))) {
      actions[id] = "running";
    } else {
      await ensureRunning(client, control);
      actions[id] = "revived";
    }
  }
  return actions;
}
