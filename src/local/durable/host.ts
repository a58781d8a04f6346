/**
 * A local stand-in for the Durable Task extension: it drives the *real* durable-functions SDK
 * orchestrators, activities and entities that the app registered, the way the Functions host
 * does — replaying history episode by episode, scheduling activities, timers and entity calls,
 * delivering external events, continueAsNew, terminate and purge — and, like DTFx, fails an
 * instance whose replay does not reproduce the actions recorded in its history.
 */
import { randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import { registeredFunction, type RegisteredFunction } from "../functionsCore";
import type { Clock } from "./clock";
import { EntityRunner } from "./entityRunner";
import { orchestratorFailureMessage } from "./failure";
import { invocationContextFor } from "./invoke";
import type { HostChange } from "./store";
import { WorkQueue } from "./workQueue";
import { ACTIVE, entityKey, type EntityRecord, type Episode, type HostSnapshot, type InstanceRecord, type StatusJson } from "./records";
import { orchestratorTrigger } from "./triggerPayload";
import { ActionType, consumesSequenceNumber, eventJson, EventType, flattenActions, historyEvent, tryJsonParse, type Action, type HistoryEvent } from "./history";

/** Construction options. */
export interface DurableHostOptions {
  readonly clock: Clock;
  /** Activities running at once (host.json maxConcurrentActivityFunctions). */
  readonly activityConcurrency?: number;
  /** Receives log lines from functions (context.log …) and the host. */
  readonly log?: (line: string) => void;
  /**
   * Keep every episode for replay checks (tests), and the history of finished instances. Without
   * it nothing the host holds grows with time: a finished instance keeps its status, not its history.
   */
  readonly recordEpisodes?: boolean;
  /**
   * Called after every state change (persistence) with the record that changed. `urgent` marks a
   * change that must be durable now: an entity write (page progress), and an activity result —
   * rows it reports are already delivered, so losing it would mean reading those pages again. An
   * activity result is reported urgent once the episode that consumes it has run (one write for
   * both), or at once when no episode can run now (host stopping, instance gone).
   */
  readonly onChange?: (urgent: boolean, change: HostChange) => void;
  /**
   * Fault injection (tests): called after an activity's handler ran. A returned reason makes the
   * host report the activity as failed instead — what the real extension reports when the Node
   * worker exits before its result reaches the host ("Activity function 'X' failed: node exited
   * with code 137"), seen on the engine tests. The handler's side effects stay. `input` is the
   * activity's input as scheduled (parsed JSON).
   */
  readonly loseActivityResult?: (name: string, input: unknown) => string | undefined;
}


/** The local durable host. */
export class DurableHost {
  readonly instances = new Map<string, InstanceRecord>();
  readonly entities = new Map<string, EntityRecord>();
  readonly episodes: Episode[] = [];
  private readonly clock: Clock;
  private readonly cancelTimers = new Map<string, Array<() => void>>();
  private readonly processing = new Set<string>();
  /** Instances holding an activity result not yet reported urgent: it is, at the end of their next episode. */
  private readonly urgentAfterEpisode = new Set<string>();
  /** Each instance's input as JSON text, for the trigger payload: parsed afresh per episode, as the extension sends it. */
  private readonly inputText = new WeakMap<InstanceRecord, { readonly input: unknown; readonly text: string }>();
  private readonly entityRunner: EntityRunner;
  private readonly activities: WorkQueue;
  private pendingWork = 0;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  /** The RPC listener's base URL, once one serves this host: activities then get durableClient inputs. */
  private rpcBaseUrl: string | undefined;
  /** Counts for reports: episodes run, activities run, entity operations run, history events written, largest continueAsNew input (bytes). */
  readonly stats = { episodes: 0, activities: 0, entityOperations: 0, historyEvents: 0, historyBytes: 0, generations: 0, maxGenerationBytes: 0, maxGenerationEvents: 0, maxInputBytes: 0,
    byInstance: {} as Record<string, { maxInputBytes: number; maxGenerationBytes: number; historyBytes: number; generations: number }> };

  constructor(private readonly options: DurableHostOptions) {
    this.clock = options.clock;
    this.activities = new WorkQueue(options.activityConcurrency ?? 8);
    // An entity write is urgent: page progress recorded there must survive a crash (activities/pageDelivery.ts).
    this.entityRunner = new EntityRunner(this.entities, (fn, id) => this.invocationContext(fn, id), (entityId, stateChanged) => {
      this.stats.entityOperations++;
      if (stateChanged) this.changed({ entityId }, true);
    });
  }

  /** Called by the RPC listener serving this host: activity invocations get durable client bindings pointing at it. */
  attachRpc(baseUrl: string): void {
    this.rpcBaseUrl = baseUrl;
  }

  // ---- client operations -------------------------------------------------------------

  /** Starts an orchestration; fails if an active instance with that id exists. */
  startNew(name: string, instanceId: string = randomUUID(), input?: unknown): string {
    registeredFunction(name);
    const existing = this.instances.get(instanceId);
    if (existing && ACTIVE.has(existing.runtimeStatus)) throw new Error(`An instance with ID '${instanceId}' already exists and is ${existing.runtimeStatus}.`);
    const now = this.clock.now();
    const record: InstanceRecord = {
      instanceId, name, generation: 0, runtimeStatus: "Pending", input: input ?? null, output: null, customStatus: null,
      createdTime: now, lastUpdatedTime: now, history: [], inbox: [], scheduled: [], timers: {}, activities: {},
    };
    record.inbox.push(historyEvent(EventType.ExecutionStarted, now, { Name: name, Version: "", Input: JSON.stringify(input ?? null), ParentInstance: null }));
    this.instances.set(instanceId, record);
    this.changed(record);
    this.kick(record);
    return instanceId;
  }

  /** The status of one instance, or undefined. */
  getStatus(instanceId: string, options: { showHistory?: boolean; showInput?: boolean } = {}): StatusJson | undefined {
    const r = this.instances.get(instanceId);
    if (!r) return undefined;
    return {
      name: r.name, instanceId, createdTime: new Date(r.createdTime).toISOString(), lastUpdatedTime: new Date(r.lastUpdatedTime).toISOString(),
      runtimeStatus: r.runtimeStatus, input: options.showInput === false ? null : r.input, output: r.output, customStatus: r.customStatus,
      ...(options.showHistory ? { history: r.history } : {}),
    };
  }

  /** Every instance's status. */
  listStatuses(): StatusJson[] {
    return [...this.instances.keys()].map((id) => this.getStatus(id)!);
  }

  /** Delivers an external event. */
  raiseEvent(instanceId: string, eventName: string, data: unknown): "accepted" | "gone" | "notFound" {
    const r = this.instances.get(instanceId);
    if (!r) return "notFound";
    if (!ACTIVE.has(r.runtimeStatus)) return "gone";
    this.deliver(r, r.generation, historyEvent(EventType.EventRaised, this.clock.now(), { Name: eventName, Input: JSON.stringify(data ?? null) }));
    return "accepted";
  }

  /** Terminates an instance: no further episode runs, late completions are ignored. */
  terminate(instanceId: string, reason: string): "accepted" | "gone" | "notFound" {
    const r = this.instances.get(instanceId);
    if (!r) return "notFound";
    if (!ACTIVE.has(r.runtimeStatus)) return "gone";
    this.dropTimers(r);
    r.runtimeStatus = "Terminated";
    r.output = reason;
    r.inbox = [];
    r.activities = {};
    r.lastUpdatedTime = this.clock.now();
    r.generation++; // late activity results belong to no generation now
    this.finished(r);
    this.log(`[${instanceId}] terminated: ${reason}`);
    this.changed(r);
    return "accepted";
  }

  /** Deletes an instance's history and state. */
  purge(instanceId: string): boolean {
    const r = this.instances.get(instanceId);
    if (!r) return false;
    this.dropTimers(r);
    this.instances.delete(instanceId);
    this.changed({ instanceId });
    return true;
  }

  /**
   * Runs one entity operation (a signal: no response). `input` is serialized at once, as a signal
   * sent over the wire would be; resolves once the operation ran and its state change was handed
   * to `onChange` (urgent).
   */
  signalEntity(name: string, key: string, operation: string, input: unknown): Promise<void> {
    const json = input === undefined ? undefined : JSON.stringify(input);
    return this.track(this.entityRunner.run(name, key, operation, json, true)).then(() => undefined);
  }

  /** An entity's state. */
  readEntity(name: string, key: string): { exists: boolean; state: unknown } {
    const e = this.entities.get(entityKey(name, key));
    return e?.exists ? { exists: true, state: tryJsonParse(e.state) } : { exists: false, state: undefined };
  }

  /** Resolves when no episode, activity or entity operation is pending. */
  idle(): Promise<void> {
    if (this.pendingWork === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops scheduling: timers are dropped and nothing new runs. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const cancels of this.cancelTimers.values()) cancels.forEach((c) => c());
    this.cancelTimers.clear();
    await this.idle();
  }

  /**
   * Counts of what the host holds in memory, for memory-bound tests and the soak benchmark: none of
   * them grows with rows collected or with time, only with the number of instances and entities.
   */
  footprint(): { instances: number; entities: number; historyEvents: number; inboxEvents: number; armedTimers: number; episodesKept: number } {
    let historyEvents = 0, inboxEvents = 0, armedTimers = 0;
    for (const r of this.instances.values()) { historyEvents += r.history.length; inboxEvents += r.inbox.length; }
    for (const cancels of this.cancelTimers.values()) armedTimers += cancels.length;
    return { instances: this.instances.size, entities: this.entities.size, historyEvents, inboxEvents, armedTimers, episodesKept: this.episodes.length };
  }

  /** Everything needed to continue after a restart (JSON-serializable). */
  snapshot(): HostSnapshot {
    return { version: 1, instances: [...this.instances.values()], entities: [...this.entities.values()] };
  }

  /** Loads a snapshot taken by {@link snapshot}; call {@link resume} afterwards. */
  restore(snapshot: HostSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`unsupported durable state version ${String(snapshot.version)}`);
    this.instances.clear();
    this.entities.clear();
    for (const r of snapshot.instances) this.instances.set(r.instanceId, r);
    for (const e of snapshot.entities) this.entities.set(entityKey(e.name, e.key), e);
  }

  /** Re-arms timers and re-runs activities of restored instances (after a restart). */
  resume(): void {
    for (const r of this.instances.values()) {
      if (!ACTIVE.has(r.runtimeStatus)) continue;
      for (const [seq, fireAt] of Object.entries(r.timers)) this.armTimer(r, Number(seq), fireAt);
      for (const [seq, [name, input]] of Object.entries(r.activities)) this.runActivity(r, r.generation, Number(seq), name, input);
      this.kick(r);
    }
  }

  // ---- episodes -------------------------------------------------------------------------

  private changed(change: HostChange, urgent = false): void {
    this.options.onChange?.(urgent, "instanceId" in change ? { instanceId: change.instanceId } : change);
  }

  /** A finished instance keeps its status; its history only when replay checks ask for it. */
  private finished(r: InstanceRecord): void {
    if (!this.options.recordEpisodes) r.history = [];
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pendingWork++;
    return work.finally(() => {
      if (--this.pendingWork === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        waiters.forEach((w) => w());
      }
    });
  }

  private deliver(r: InstanceRecord, generation: number, event: HistoryEvent): void {
    if (r.generation !== generation || !ACTIVE.has(r.runtimeStatus) || this.instances.get(r.instanceId) !== r) return;
    r.inbox.push(event);
    if (event.EventType === EventType.TaskCompleted || event.EventType === EventType.TaskFailed) this.urgentAfterEpisode.add(r.instanceId);
    this.changed(r);
    this.kick(r);
  }

  private kick(r: InstanceRecord): void {
    if (this.stopped || this.processing.has(r.instanceId) || r.inbox.length === 0) {
      // No episode starts now: an activity result waiting for one is made durable at once.
      if (!this.processing.has(r.instanceId)) this.reportUrgent(r.instanceId);
      return;
    }
    this.processing.add(r.instanceId);
    void this.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.episode(r)).finally(() => {
      this.processing.delete(r.instanceId);
      this.reportUrgent(r.instanceId);
      if (this.instances.get(r.instanceId) === r && ACTIVE.has(r.runtimeStatus)) this.kick(r);
    }));
  }

  /** Reports an instance's pending activity result urgent (with whatever the episode since changed). */
  private reportUrgent(instanceId: string): void {
    if (this.urgentAfterEpisode.delete(instanceId)) this.changed({ instanceId }, true);
  }

  /** The instance's input as JSON text (cached per input value). */
  private inputJson(r: InstanceRecord): string {
    const cached = this.inputText.get(r);
    if (cached && cached.input === r.input) return cached.text;
    const text = JSON.stringify(r.input ?? null);
    this.inputText.set(r, { input: r.input, text });
    return text;
  }

  private async episode(r: InstanceRecord): Promise<void> {
    if (!ACTIVE.has(r.runtimeStatus) || r.inbox.length === 0 || this.instances.get(r.instanceId) !== r) return;
    const fn = registeredFunction(r.name);
    const now = this.clock.now();
    const replayed = r.history.length;
    const started = historyEvent(EventType.OrchestratorStarted, now);
    // Events stay in the inbox until the episode's outcome is recorded, so a snapshot taken while
    // the orchestrator runs still holds them.
    const delivered = r.inbox.slice();
    const history = [...r.history, started, ...delivered];
    const trigger = orchestratorTrigger(history, replayed, this.inputJson(r), r.instanceId);
    const generation = r.generation;
    r.runtimeStatus = "Running";
    this.stats.episodes++;
    let state: { isDone: boolean; actions: Action[][]; output?: unknown; customStatus?: unknown };
    try {
      state = (await fn.handler(trigger, this.invocationContext(fn, r.instanceId))) as typeof state;
    } catch (error) {
      this.fail(r, error instanceof Error ? orchestratorFailureMessage(error.message) : String(error));
      return;
    }
    if (r.generation !== generation || this.instances.get(r.instanceId) !== r || !ACTIVE.has(r.runtimeStatus)) return;
    r.inbox = r.inbox.slice(delivered.length);
    if (this.options.recordEpisodes) this.episodes.push({ name: r.name, instanceId: r.instanceId, input: r.input, history: history.map((e, i) => ({ ...e, IsPlayed: i < replayed })), actions: JSON.parse(JSON.stringify(state.actions)) });

    r.history = history;
    if (state.customStatus !== undefined) r.customStatus = state.customStatus;
    const leaves = flattenActions(state.actions.flat());
    const numbered = leaves.filter(consumesSequenceNumber);
    // DTFx's check: replayed actions must match what the history recorded.
    for (let seq = 0; seq < Math.min(r.scheduled.length, numbered.length); seq++) {
      const action = numbered[seq]!, recorded = r.scheduled[seq]!;
      if (action.actionType !== recorded.type || actionName(action) !== recorded.name) {
        this.fail(r, `Non-Deterministic workflow detected: at sequence ${seq} the history has ${recorded.name} (type ${recorded.type}) but replay produced ${actionName(action)} (type ${action.actionType}).`);
        return;
      }
    }
    for (let seq = 0; seq < numbered.length; seq++) {
      const action = numbered[seq]!;
      if (action.actionType === ActionType.CreateTimer && action.isCanceled && r.timers[seq] !== undefined) this.cancelTimer(r, seq);
      if (seq >= r.scheduled.length) this.schedule(r, seq, action, now);
    }
    r.history.push(historyEvent(EventType.OrchestratorCompleted, now));
    r.lastUpdatedTime = now;
    this.stats.historyEvents += r.history.length - replayed;
    const continueAsNew = leaves.find((a) => a.actionType === ActionType.ContinueAsNew);
    // The SDK hands a string input over as its JSON text already (Utils.processInput), anything else as the value.
    if (continueAsNew) this.continueAsNew(r, typeof continueAsNew.input === "string" ? continueAsNew.input : JSON.stringify(continueAsNew.input ?? null), now);
    else if (state.isDone) this.complete(r, state.output);
    this.changed(r);
  }

  private invocationContext(fn: RegisteredFunction, id: string): InvocationContext {
    return new InvocationContext({
      functionName: fn.name, invocationId: randomUUID(),
      logHandler: (level, ...args) => this.log(`[${fn.name}${id ? ` ${id}` : ""}] ${level}: ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`),
    });
  }

  private schedule(r: InstanceRecord, seq: number, action: Action, now: number): void {
    r.scheduled.push({ type: action.actionType, name: actionName(action) });
    switch (action.actionType) {
      case ActionType.CallActivity: {
        const input = typeof action.input === "string" ? action.input : JSON.stringify(action.input ?? null);
        r.history.push(historyEvent(EventType.TaskScheduled, now, { Name: action.functionName, Input: input }, seq));
        r.activities[seq] = [action.functionName!, input];
        this.runActivity(r, r.generation, seq, action.functionName!, input);
        break;
      }
      case ActionType.CreateTimer: {
        const fireAt = new Date(action.fireAt as string).getTime();
        r.history.push(historyEvent(EventType.TimerCreated, now, { FireAt: new Date(fireAt).toISOString() }, seq));
        if (!action.isCanceled) {
          r.timers[seq] = fireAt;
          this.armTimer(r, seq, fireAt);
        }
        break;
      }
      case ActionType.CallEntity:
      case ActionType.SignalEntity: {
        const [, name = "", key = ""] = /^@([^@]*)@(.*)$/.exec(action.instanceId ?? "") ?? [];
        const requestId = randomUUID();
        const signal = action.actionType === ActionType.SignalEntity;
        const input = action.input === undefined ? undefined : JSON.stringify(action.input);
        r.history.push(historyEvent(EventType.EventSent, now, { InstanceId: action.instanceId, Name: "op", Input: JSON.stringify({ op: action.operation, signal, input, id: requestId, parent: r.instanceId }) }, seq));
        const generation = r.generation;
        void this.track(this.entityRunner.run(name, key, action.operation!, input, true).then((result) => {
          if (!signal) this.deliver(r, generation, historyEvent(EventType.EventRaised, this.clock.now(), { Name: requestId, Input: JSON.stringify(result) }));
        }));
        break;
      }
      default:
        this.fail(r, `The local host does not support action type ${action.actionType}.`);
    }
  }

  private runActivity(r: InstanceRecord, generation: number, seq: number, name: string, input: string): void {
    const run = async () => {
      if (this.stopped) return;
      const fn = registeredFunction(name);
      this.stats.activities++;
      let event: HistoryEvent;
      try {
        const context = this.rpcBaseUrl ? invocationContextFor(fn, this.rpcBaseUrl, (line) => this.log(`[${r.instanceId}] ${line}`)) : this.invocationContext(fn, r.instanceId);
        const result = await fn.handler(tryJsonParse(input), context);
        const lost = this.options.loseActivityResult?.(name, tryJsonParse(input));
        if (lost !== undefined) throw new Error(lost);
        event = historyEvent(EventType.TaskCompleted, this.clock.now(), { TaskScheduledId: seq, Result: JSON.stringify(result ?? null) });
      } catch (error) {
        event = historyEvent(EventType.TaskFailed, this.clock.now(), { TaskScheduledId: seq, Reason: `Activity function '${name}' failed: ${(error as Error).message}`, Details: (error as Error).stack ?? "" });
      }
      if (r.generation === generation) delete r.activities[seq];
      this.deliver(r, generation, event);
    };
    void this.track(this.activities.run(run));
  }

  private armTimer(r: InstanceRecord, seq: number, fireAt: number): void {
    const generation = r.generation;
    const cancel = this.clock.at(fireAt, () => {
      if (r.generation !== generation || r.timers[seq] === undefined) return;
      delete r.timers[seq];
      this.deliver(r, generation, historyEvent(EventType.TimerFired, this.clock.now(), { TimerId: seq, FireAt: new Date(fireAt).toISOString() }));
    });
    const list = this.cancelTimers.get(r.instanceId) ?? [];
    list.push(cancel);
    this.cancelTimers.set(r.instanceId, list);
  }

  private cancelTimer(r: InstanceRecord, seq: number): void {
    delete r.timers[seq];
  }

  private dropTimers(r: InstanceRecord): void {
    this.cancelTimers.get(r.instanceId)?.forEach((c) => c());
    this.cancelTimers.delete(r.instanceId);
    r.timers = {};
  }

  /** Starts the next generation with `inputText` (JSON) as its input. */
  private continueAsNew(r: InstanceRecord, inputText: string, now: number): void {
    let bytes = 2 + Math.max(0, r.history.length - 1); // the brackets and commas of the history as one JSON array
    for (const event of r.history) bytes += Buffer.byteLength(eventJson(event));
    this.stats.historyBytes += bytes;
    this.stats.generations++;
    this.stats.maxGenerationBytes = Math.max(this.stats.maxGenerationBytes, bytes);
    this.stats.maxGenerationEvents = Math.max(this.stats.maxGenerationEvents, r.history.length);
    const inputBytes = Buffer.byteLength(inputText);
    this.stats.maxInputBytes = Math.max(this.stats.maxInputBytes, inputBytes);
    const own = (this.stats.byInstance[r.instanceId] ??= { maxInputBytes: 0, maxGenerationBytes: 0, historyBytes: 0, generations: 0 });
    Object.assign(own, { maxInputBytes: Math.max(own.maxInputBytes, inputBytes), maxGenerationBytes: Math.max(own.maxGenerationBytes, bytes), historyBytes: own.historyBytes + bytes, generations: own.generations + 1 });
    this.dropTimers(r);
    r.generation++;
    r.input = JSON.parse(inputText) as unknown;
    this.inputText.set(r, { input: r.input, text: inputText });
    r.history = [];
    r.scheduled = [];
    r.activities = {};
    r.runtimeStatus = "ContinuedAsNew";
    // Unprocessed events are discarded, as the extension does on ContinueAsNew.
    r.inbox = [historyEvent(EventType.ExecutionStarted, now, { Name: r.name, Version: "", Input: inputText, ParentInstance: null })];
  }

  private complete(r: InstanceRecord, output: unknown): void {
    this.dropTimers(r);
    r.runtimeStatus = "Completed";
    r.output = output ?? null;
    r.activities = {};
    this.finished(r);
  }

  private fail(r: InstanceRecord, message: string): void {
    this.dropTimers(r);
    r.inbox = [];
    r.runtimeStatus = "Failed";
    r.output = `Orchestrator function '${r.name}' failed: ${message}`;
    r.lastUpdatedTime = this.clock.now();
    r.activities = {};
    this.finished(r);
    this.log(`[${r.instanceId}] FAILED: ${message}`);
    this.changed(r);
  }
}

function actionName(action: Action): string {
  return action.functionName ?? action.operation ?? (action.actionType === ActionType.CreateTimer ? "timer" : "");
}

