/**
 * The collector entity: the durable home of a collector's definition and desired run state
 * (running/stopped). The orchestrator reads it at the start of every generation, so a change
 * made through the API is never lost, even if the wake event that announces it is.
 *
 * The entity runs one operation at a time, so changes are computed here, on its current state,
 * not from what a handler read earlier: two concurrent requests are applied one after the other
 * and neither undoes the other (a change's version is the current one + 1; a create applies only
 * to a collector that does not exist yet; a reset names a new run, which the orchestrator follows).
 */
import type { EntityContext, EntityHandler } from "durable-functions";
import type { CollectorControl, CollectorControlView, RuntimeSettings } from "../../orchestrators/state";
import type { CollectorBody } from "./definitionInput";
import { definitionFrom } from "./collectorOps";
import { usageChangeProblem } from "../usage/definitionInput";

/** Operations the entity accepts. `configure` (replace everything) is kept for signals queued by earlier releases. */
export type CollectorEntityOperation = "get" | "create" | "modify" | "reset" | "configure" | "setDesired" | "delete";

/** Input of `modify`: a validated body applied on top of the current definition at wall-clock `nowMs`. */
export interface ModifyInput {
  readonly body: CollectorBody;
  readonly nowMs: number;
}

/** Input of `reset`: where the new run starts (ISO-8601) and its id. */
export interface ResetInput {
  readonly startTime: string;
  readonly runId: string;
}

/** Creates the entity handler; `settings` is read on every `get`. */
export function collectorEntity(settings: () => RuntimeSettings): EntityHandler<CollectorControl> {
  return (context: EntityContext<CollectorControl>) => {
    const current = context.df.getState();
    const id = context.df.entityKey;
    switch (context.df.operationName as CollectorEntityOperation) {
      case "get": {
        const view: CollectorControlView | null = current ? { ...current, settings: settings() } : null;
        context.df.return(view);
        return;
      }
      case "create": {
        // Only the first of concurrent creates applies; the others see its run id and answer 409.
        const created = context.df.getInput<CollectorControl>();
        if (!current && created?.definition) context.df.setState({ definition: created.definition, desired: created.desired });
        return;
      }
      case "modify": {
        const change = context.df.getInput<ModifyInput>();
        // A collector deleted or re-created with another data type (or bucket width) meanwhile is not changed.
        if (!current || !change || change.body.dataType !== current.definition.dataType || usageChangeProblem(current.definition, change.body)) return;
        // The run stays: a modify never moves the cursor.
        const run = current.definition.run;
        context.df.setState({ definition: { ...definitionFrom(id, change.body, current.definition, change.nowMs), ...(run ? { run } : {}) }, desired: current.desired });
        return;
      }
      case "reset": {
        const reset = context.df.getInput<ResetInput>();
        if (!current || !reset) return;
        const run = { id: reset.runId, startTime: reset.startTime };
        context.df.setState({ definition: { ...current.definition, startTime: reset.startTime, run, version: current.definition.version + 1 }, desired: "running" });
        return;
      }
      case "configure": {
        const { definition, desired } = context.df.getInput<Partial<CollectorControl>>() ?? {};
        if (!definition) throw new Error("configure needs a definition");
        context.df.setState({ definition, desired: desired ?? current?.desired ?? "running" });
        return;
      }
      case "setDesired": {
        const desired = context.df.getInput<CollectorControl["desired"]>();
        if (current && (desired === "running" || desired === "stopped")) context.df.setState({ ...current, desired });
        return;
      }
      case "delete":
        context.df.destructOnExit();
        return;
      default:
        throw new Error(`unknown operation ${context.df.operationName}`);
    }
  };
}
