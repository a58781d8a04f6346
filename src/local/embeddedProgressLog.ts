/**
 * Page progress on the embedded host: the collector's `deliveryProgress` entity read and signalled
 * by a direct call into the durable host of this process, with the semantics of the durable
 * client's route (src/delivery/progressLog.ts): `record` resolves once the entity operation ran
 * and the store wrote it (an entity write is urgent, src/local/durable/host.ts). It saves the
 * loopback HTTP request and the SDK client per record: with them, the records cost 7.6 % of the
 * stored-completions backfill rate in the benchmark run of 2026-12-02; without them, 0.8 % in the
 * next (BENCHMARKS.md, page-progress records).
 */
import type { InvocationContext } from "@azure/functions";
import { DELIVERY_PROGRESS_ENTITY } from "../../orchestrators/names";
import type { ProgressBook } from "../delivery/progress";
import type { ProgressLog } from "../delivery/progressLog";
import { inProcessHostOf } from "./durable/inProcess";

/**
 * The progress log of an activity invoked by a durable host of this process, or undefined (the
 * caller then uses the durable client: Azure, the engine tests).
 */
export function embeddedProgressLog(context: InvocationContext): ProgressLog | undefined {
  const host = inProcessHostOf(context);
  if (!host) return undefined;
  return {
    read: (collectorId) => {
      const entity = host.readEntity(DELIVERY_PROGRESS_ENTITY, collectorId);
      return Promise.resolve(entity.exists ? (entity.state as ProgressBook) : undefined);
    },
    record: (collectorId, record) => host.signalEntity(DELIVERY_PROGRESS_ENTITY, collectorId, "record", record),
  };
}
