/**
 * The collector entity: the durable home of a collector's definition and desired run state
 * (running/stopped). The orchestrator reads it at the start of every generation, so a change
 * made through the API is never lost, even if the wake event that announces it is.
 */
import type { EntityContext, EntityHandler } from "durable-functions";
import type { CollectorControl, CollectorControlView, RuntimeSettings } from "../../orchestrators/state";

/** Operations the entity accepts. */
export type CollectorEntityOperation = "get" | "configure" | "setDesired" | "delete";

/** Creates the entity handler; `settings` is read on every `get`. */
export function collectorEntity(settings: () => RuntimeSettings): EntityHandler<CollectorControl> {
  return (context: EntityContext<CollectorControl>) => {
    const current = context.df.getState();
    switch (context.df.operationName as CollectorEntityOperation) {
      case "get": {
        const view: CollectorControlView | null = current ? { ...current, settings: settings() } : null;
        context.df.return(view);
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
