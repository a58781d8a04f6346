/** Builds host-shaped histories and runs the registered orchestrator on them, as the extension would. */
import "../../src/local/installCore";
import { InvocationContext } from "@azure/functions";
import { registeredFunction } from "../../src/local/functionsCore";
import { EventType, historyEvent, type HistoryEvent } from "../../src/local/durable/history";

/** A history under construction; timestamps are explicit. */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  started(at: string): this { this.events.push(historyEvent(EventType.OrchestratorStarted, Date.parse(at))); return this; }
  execution(name: string, input: unknown, at: string): this { this.events.push(historyEvent(EventType.ExecutionStarted, Date.parse(at), { Name: name, Input: JSON.stringify(input) })); return this; }
  entityCalled(seq: number, requestId: string, at: string): this { this.events.push(historyEvent(EventType.EventSent, Date.parse(at), { InstanceId: "@collector@x", Name: "op", Input: JSON.stringify({ id: requestId }) }, seq)); return this; }
  entityAnswered(requestId: string, result: unknown, at: string): this { this.events.push(historyEvent(EventType.EventRaised, Date.parse(at), { Name: requestId, Input: JSON.stringify({ result: JSON.stringify(result) }) })); return this; }
  scheduled(seq: number, name: string, at: string): this { this.events.push(historyEvent(EventType.TaskScheduled, Date.parse(at), { Name: name }, seq)); return this; }
  completed(seq: number, result: unknown, at: string): this { this.events.push(historyEvent(EventType.TaskCompleted, Date.parse(at), { TaskScheduledId: seq, Result: JSON.stringify(result) })); return this; }
  failed(seq: number, reason: string, at: string): this { this.events.push(historyEvent(EventType.TaskFailed, Date.parse(at), { TaskScheduledId: seq, Reason: reason, Details: reason })); return this; }
  timerCreated(seq: number, fireAt: string, at: string): this { this.events.push(historyEvent(EventType.TimerCreated, Date.parse(at), { FireAt: fireAt }, seq)); return this; }
  timerFired(seq: number, fireAt: string, at: string): this { this.events.push(historyEvent(EventType.TimerFired, Date.parse(at), { TimerId: seq, FireAt: fireAt })); return this; }
  raised(name: string, data: unknown, at: string): this { this.events.push(historyEvent(EventType.EventRaised, Date.parse(at), { Name: name, Input: JSON.stringify(data) })); return this; }
}

/** Runs the orchestrator `name` over `history` and returns its state, JSON-normalised. */
export async function runOrchestrator(name: string, instanceId: string, input: unknown, history: readonly HistoryEvent[]): Promise<Record<string, unknown>> {
  const fn = registeredFunction(name);
  const played = history.map((e, i) => ({ ...e, IsPlayed: i < history.length - 1 && history.slice(i + 1).some((x) => x.EventType === EventType.OrchestratorStarted) }));
  const trigger = { history: played, input, instanceId, isReplaying: false, parentInstanceId: null, upperSchemaVersion: 1, upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: "3.00:00:00", maximumShortTimerDuration: "36500.00:00:00" };
  const state = await fn.handler(JSON.parse(JSON.stringify(trigger)), new InvocationContext({ functionName: name }));
  return JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
}
