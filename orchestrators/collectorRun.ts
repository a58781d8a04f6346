/**
 * Which run a cursor belongs to. Every create and reset gives the collector's definition a new
 * `run` (in the entity, which applies operations one at a time) and starts an instance whose
 * state carries the run's id. Concurrent creates and resets can land in the entity in one order and
 * start instances in another; the orchestrator reads the entity first thing in every generation,
 * and {@link stateForRun} makes the cursor follow the run the entity names. So after any
 * interleaving, the definition the API shows and the cursor in use belong to the same run. Pure.
 */
import { initialState, type CollectorDefinition, type CollectorState } from "./state";

/**
 * `state` when it belongs to the definition's run (or the definition predates runs); otherwise a
 * fresh state of that run, starting at the run's start time (counters start at 0, as after a reset).
 * The run's start, not the definition's `startTime`: a modify may have changed that since, and a
 * modify never moves the cursor.
 */
export function stateForRun(state: CollectorState, definition: CollectorDefinition): CollectorState {
  const run = definition.run;
  if (run === undefined || run.id === state.runId) return state;
  return initialState(state.collectorId, run.startTime, run.id);
}
