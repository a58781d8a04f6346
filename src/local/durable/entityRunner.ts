/**
 * Runs durable entity operations one at a time per entity, through the registered entity
 * function, as the extension does: a batch of one operation, state in and state out.
 */
import type { InvocationContext } from "@azure/functions";
import { registeredFunction, type RegisteredFunction } from "../functionsCore";
import { entityKey, type EntityRecord } from "./records";

/** The response an orchestrator's entity call receives. */
export interface EntityResponse {
  readonly result?: string;
  readonly exceptionType?: string;
}

/** Serializes operations per entity and keeps entity state in `entities`. */
export class EntityRunner {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly entities: Map<string, EntityRecord>,
    private readonly contextFor: (fn: RegisteredFunction, id: string) => InvocationContext,
    /** Called after each operation with the entity's id (`@name@key`) and whether its state changed. */
    private readonly changed: (entityId: string, stateChanged: boolean) => void,
  ) {}

  /** Runs `operation`; `input` is a JSON string when `inputIsJson`, else a value to serialize. */
  run(name: string, key: string, operation: string, input: unknown, inputIsJson = false): Promise<EntityResponse> {
    const id = entityKey(name, key);
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      const fn = registeredFunction(name);
      const record = this.entities.get(id) ?? { name: name.toLowerCase(), key, exists: false, state: undefined };
      const inputJson = inputIsJson ? (input as string | undefined) : input === undefined ? undefined : JSON.stringify(input);
      const trigger = { self: { name: name.toLowerCase(), key }, exists: record.exists, state: record.state ?? null, batch: [{ name: operation, input: inputJson, isSignal: false }] };
      const out = (await fn.handler(trigger, this.contextFor(fn, id))) as { entityExists: boolean; entityState?: string; results: Array<{ isError: boolean; result?: string }> };
      const changed = out.entityExists !== record.exists || (out.entityExists && out.entityState !== record.state);
      if (out.entityExists) this.entities.set(id, { name: name.toLowerCase(), key, exists: true, state: out.entityState });
      else this.entities.delete(id);
      // Persisted only when the state changed (reads such as the collector's "get" cost no write).
      this.changed(id, changed);
      const first = out.results[0];
      return first?.isError ? { result: first.result ?? "{}", exceptionType: "Error" } : first?.result !== undefined ? { result: first.result } : {};
    });
    this.chains.set(id, next.catch(() => undefined));
    return next;
  }
}
