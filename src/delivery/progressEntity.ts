/**
 * The durable entity `deliveryProgress`, one per collector (key: the collector id), holding the
 * {@link ProgressBook} of its page activities in flight. Activities write it by signal and read it
 * with `readEntityState` through a durable client input binding (see progressLog.ts).
 */
import type { EntityContext, EntityHandler } from "durable-functions";
import { EMPTY_BOOK, recordProgress, type ProgressBook, type ProgressRecord } from "./progress";

/** Operations the entity accepts: `record` a run's state, `clear` everything (collector deleted or reset). */
export type ProgressEntityOperation = "record" | "clear";

/** The entity handler. */
export const progressEntity: EntityHandler<ProgressBook> = (context: EntityContext<ProgressBook>) => {
  switch (context.df.operationName as ProgressEntityOperation) {
    case "record": {
      const record = context.df.getInput<ProgressRecord>();
      if (!record || typeof record.runId !== "string") throw new Error("record needs a runId");
      context.df.setState(recordProgress(context.df.getState() ?? EMPTY_BOOK, record));
      return;
    }
    case "clear":
      context.df.destructOnExit();
      return;
    default:
      throw new Error(`unknown operation ${context.df.operationName}`);
  }
};
