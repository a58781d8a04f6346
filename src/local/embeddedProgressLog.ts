/**
 * Page progress on the embedded host: the collector's `deliveryProgress` entity read and signalled
 * by a direct call into the durable host of this process, with the semantics of the durable
 * client's route (src/delivery/progressLog.ts): `record` resolves once the entity operation ran
 * and the store wrote it (an entity write is urgent, src/local/durable/host.ts). The loopback
 * HTTP request and the SDK client it saves cost about 1.7 ms of CPU per record (BENCHMARKS.md,
 * page-progress records).
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
