/** What the local durable host keeps about instances and entities (all JSON-serializable). */
import type { HistoryEvent } from "./history";

/** Runtime status names as the extension reports them. */
export type RuntimeStatus = "Pending" | "Running" | "Completed" | "ContinuedAsNew" | "Failed" | "Terminated";

/** Everything the host keeps about one orchestration instance (serializable). */
export interface InstanceRecord {
  instanceId: string;
  name: string;
  generation: number;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: number;
  lastUpdatedTime: number;
  /** History of the current generation. */
  history: HistoryEvent[];
  /** Events not yet delivered to the orchestrator. */
  inbox: HistoryEvent[];
  /** Id-consuming actions scheduled in this generation, by sequence number. */
  scheduled: Array<{ type: number; name: string }>;
  /** Timers created and neither fired nor cancelled: seq → fire time. */
  timers: Record<number, number>;
  /** Activities scheduled and not completed: seq → [name, input]. */
  activities: Record<number, [string, string]>;
}

/** A durable entity's stored state. */
export interface EntityRecord {
  name: string;
  key: string;
  exists: boolean;
  /** JSON text of the state. */
  state: string | undefined;
}

/** A recorded episode, for replay-determinism checks. */
export interface Episode {
  readonly name: string;
  readonly instanceId: string;
  readonly input: unknown;
  readonly history: HistoryEvent[];
  readonly actions: unknown;
}

/** The host's persistent state. */
export interface HostSnapshot {
  readonly version: 1;
  readonly instances: InstanceRecord[];
  readonly entities: EntityRecord[];
}

/** Status as the extension's HTTP API returns it (what DurableClient parses). */
export interface StatusJson {
  name: string;
  instanceId: string;
  createdTime: string;
  lastUpdatedTime: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  history?: HistoryEvent[];
}

/** Statuses in which an instance still runs. */
export const ACTIVE: ReadonlySet<RuntimeStatus> = new Set(["Pending", "Running", "ContinuedAsNew"]);

/** Entity ids as the extension spells them: `@name@key`, name lower-cased. */
export function entityKey(name: string, key: string): string {
  return `@${name.toLowerCase()}@${key}`;
}
