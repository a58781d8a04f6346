/**
 * Orchestration history events as the Durable Task extension sends them to the worker
 * (PascalCase, Input/Result as JSON strings), and the action shapes the SDK answers with.
 */

/** History event types (durable-functions `HistoryEventType`). */
export const EventType = {
  ExecutionStarted: 0, ExecutionCompleted: 1, ExecutionFailed: 2, ExecutionTerminated: 3, TaskScheduled: 4, TaskCompleted: 5,
  TaskFailed: 6, TimerCreated: 10, TimerFired: 11, OrchestratorStarted: 12, OrchestratorCompleted: 13, EventSent: 14, EventRaised: 15,
  ContinueAsNew: 16,
} as const;

/** One history event. */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

/** Builds a history event. */
export function historyEvent(type: number, timestamp: number, fields: Record<string, unknown> = {}, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: new Date(timestamp).toISOString(), ...fields };
}

const eventTexts = new WeakMap<HistoryEvent, string>();

/**
 * An event's JSON text, computed once per event object: history events are not changed after
 * they are made (the SDK gets copies), so the store and the host's size counts share one
 * serialization.
 */
export function eventJson(event: HistoryEvent): string {
  let text = eventTexts.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    eventTexts.set(event, text);
  }
  return text;
}

/** Action types (durable-functions `ActionType`). */
export const ActionType = {
  CallActivity: 0, CallActivityWithRetry: 1, CallSubOrchestrator: 2, CallSubOrchestratorWithRetry: 3, ContinueAsNew: 4, CreateTimer: 5,
  WaitForExternalEvent: 6, CallEntity: 7, CallHttp: 8, SignalEntity: 9, WhenAny: 11, WhenAll: 12,
} as const;

/** An action as returned by the SDK. */
export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: string | Date;
  isCanceled?: boolean;
  externalEventName?: string;
  instanceId?: string;
  operation?: string;
  compoundActions?: Action[];
}

/** Leaf actions in depth-first order (compound WhenAll/WhenAny flattened). */
export function flattenActions(actions: readonly Action[]): Action[] {
  return actions.flatMap((a) => (a.compoundActions ? flattenActions(a.compoundActions) : [a]));
}

/** Whether an action takes a task sequence number (external-event waits do not). */
export function consumesSequenceNumber(action: Action): boolean {
  return action.actionType !== ActionType.WaitForExternalEvent && action.actionType !== ActionType.ContinueAsNew;
}

/** JSON.parse for strings that may not be JSON (the worker's tryJsonParse). */
export function tryJsonParse(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
