/**
 * Reading and writing the `deliveryProgress` entity from an activity, through the durable client
 * that the activity's `df.input.durableClient()` binding provides (on Azure the Durable extension,
 * on the embedded host its RPC listener).
 */
import * as df from "durable-functions";
import { DELIVERY_PROGRESS_ENTITY } from "../../orchestrators/names";
import type { ProgressBook, ProgressRecord } from "./progress";

/** Durable storage of page progress, per collector. */
export interface ProgressLog {
  /** The collector's book, or undefined when it has none. */
  read(collectorId: string): Promise<ProgressBook | undefined>;
  /** Stores a run's state; resolves once the write is durable (the signal is enqueued). */
  record(collectorId: string, record: ProgressRecord): Promise<void>;
}

/** The `deliveryProgress` entity of a collector. */
export function progressEntityId(collectorId: string): df.EntityId {
  return new df.EntityId(DELIVERY_PROGRESS_ENTITY, collectorId);
}

/** A {@link ProgressLog} over a durable client. */
export function durableProgressLog(client: df.DurableClient): ProgressLog {
  const entity = progressEntityId;
  return {
    async read(collectorId) {
      const response = await client.readEntityState<ProgressBook>(entity(collectorId));
      return response.entityExists ? response.entityState : undefined;
    },
    record: (collectorId, record) => client.signalEntity(entity(collectorId), "record", record),
  };
}
