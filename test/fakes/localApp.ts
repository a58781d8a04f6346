/**
 * The whole app on the local durable host for scenario tests: the real registered functions,
 * the real durable-functions SDK, the real DurableClient (over the local RPC listener), real
 * HttpRequest/InvocationContext objects, and the fakes behind the real clients — on a virtual
 * clock that jumps from timer to timer.
 */
import "../../src/local/installCore";
import { registeredFunction, registeredFunctions } from "../../src/local/functionsCore";
import { registerFunctions } from "../../src/functions/register";
import { embeddedProgressLog } from "../../src/local/embeddedProgressLog";
import { VirtualClock } from "../../src/local/durable/clock";
import { DurableHost, type DurableHostOptions } from "../../src/local/durable/host";
import { tryJsonParse } from "../../src/local/durable/history";
import { httpRequest, invokeHttp, invokeTimer } from "../../src/local/durable/invoke";
import { startRpcServer, type RpcServer } from "../../src/local/durable/rpcServer";
import { matchRoute } from "../../src/local/router";
import type { RowWriter } from "../../activities/deps";
import type { RuntimeSettings } from "../../orchestrators/state";
import type { DeclaredCollector } from "../../src/collectors/reconcile";
import { startStack, type Stack } from "./stack";
import type { OpenAIMockOptions } from "../../src/local/fakes/openaiMock";

/** An HTTP answer as a test reads it. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** The running app. */
export interface LocalApp {
  readonly stack: Stack;
  readonly clock: VirtualClock;
  readonly host: DurableHost;
  readonly logs: string[];
  /** Replaces the activities' Logs Ingestion writer (fault injection); the stack's real writer is passed in. */
  wrapWriter(wrap: (writer: RowWriter) => RowWriter): void;
  /** Whether page activities record their progress (the benchmark's records-off baseline passes false); on by default. */
  setPageProgress(on: boolean): void;
  api(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** Sets the declared collectors (the COLLECTORS setting) and runs the reconciler timer function once. */
  reconcile(declared: DeclaredCollector[]): Promise<void>;
  /** Runs until `ms` of virtual time have passed, firing timers and waiting for all work. */
  advance(ms: number): Promise<void>;
  /** Runs until the predicate holds (checked whenever the system is idle), or throws after `maxMs` virtual ms. */
  runUntil(predicate: () => boolean, maxMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** What the functions registered once per process read: the running app and its test settings. */
interface Registration { current: LocalApp | undefined; settings: RuntimeSettings; declared: DeclaredCollector[]; writer: RowWriter | undefined; pageProgress: boolean }

let registered: Registration | undefined;

/** Default settings for scenarios: small pages per activity so fan-out and generations show. */
export const SCENARIO_SETTINGS: RuntimeSettings = { parallelism: 4, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 1_800 };

/**
 * Starts the app at virtual time `startMs`. One app at a time per process. The host records
 * episodes for replay checks unless `hostOptions.recordEpisodes` is false.
 */
export async function startLocalApp(startMs: number, mockOptions: Partial<OpenAIMockOptions> = {}, settings: RuntimeSettings = SCENARIO_SETTINGS,
  hostOptions: Pick<DurableHostOptions, "loseActivityResult" | "recordEpisodes" | "onChange"> = {}): Promise<LocalApp> {
  const clock = new VirtualClock(startMs);
  const stack = await startStack({ ...mockOptions, now: () => clock.now() });
  const logs: string[] = [];
  const host = new DurableHost({ clock, recordEpisodes: true, log: (line) => logs.push(line), activityConcurrency: 8, ...hostOptions });
  const rpc: RpcServer = await startRpcServer(host);
  if (!registered) {
    const box: Registration = { current: undefined, settings, declared: [], writer: undefined, pageProgress: true };
    registered = box;
    registerFunctions({
      deps: () => ({ ...box.current!.stack.deps, ...(box.writer ? { writer: box.writer } : {}), now: () => box.current!.clock.now() }),
      settings: () => box.settings,
      declaredCollectors: () => box.declared,
      openaiBaseUrl: "https://api.openai.com/v1",
      now: () => box.current!.clock.now(),
      pageProgress: () => box.pageProgress,
      progressLog: embeddedProgressLog,
    });
  }
  registered.settings = settings;
  registered.declared = [];
  registered.writer = undefined;
  registered.pageProgress = true;

  const app: LocalApp = {
    stack, clock, host, logs,
    wrapWriter(wrap) {
      registered!.writer = wrap(stack.deps.writer);
    },
    setPageProgress(on) {
      registered!.pageProgress = on;
    },
    async api(method, path, body) {
      const match = matchRoute(registeredFunctions(), method, path.replace(/^\/api\//, ""));
      if (match === undefined || match === "methodNotAllowed") return { status: match ? 405 : 404, body: undefined, text: "" };
      const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const response = await invokeHttp(match.fn, httpRequest(method, `http://localhost:7071${path}`, text, match.params), rpc.baseUrl, (l) => logs.push(l));
      const init = response as { status?: number; jsonBody?: unknown; body?: unknown };
      const raw = init.jsonBody !== undefined ? JSON.stringify(init.jsonBody) : typeof init.body === "string" ? init.body : "";
      await host.idle();
      return { status: init.status ?? 200, body: tryJsonParse(raw), text: raw };
    },
    async reconcile(declared) {
      registered!.declared = declared;
      await invokeTimer(registeredFunction("reconcileCollectors"), rpc.baseUrl, (l) => logs.push(l));
      await host.idle();
    },
    async advance(ms) {
      const target = clock.now() + ms;
      for (;;) {
        await host.idle();
        const next = clock.nextTimerAt();
        if (next === undefined || next > target) break;
        clock.advanceTo(next);
      }
      clock.advanceTo(target);
      await host.idle();
    },
    async runUntil(predicate, maxMs) {
      const limit = clock.now() + maxMs;
      for (;;) {
        await host.idle();
        if (predicate()) return;
        const next = clock.nextTimerAt();
        if (next === undefined || next > limit) throw new Error(`condition not reached by ${new Date(limit).toISOString()} (next timer ${next === undefined ? "none" : new Date(next).toISOString()})`);
        clock.advanceTo(next);
      }
    },
    async stop() {
      await host.shutdown();
      await rpc.close();
      await stack.stop();
    },
  };
  registered.current = app;
  return app;
}

/** Replays every recorded episode against the orchestrator and returns the ones whose actions differ. */
export async function replayMismatches(host: DurableHost): Promise<string[]> {
  const mismatches: string[] = [];
  for (const [i, episode] of host.episodes.entries()) {
    const fn = registeredFunction(episode.name);
    const trigger = { history: episode.history, input: episode.input, instanceId: episode.instanceId, isReplaying: false, parentInstanceId: null,
      upperSchemaVersion: 1, upperSchemaVersionNew: 2, longRunningTimerIntervalDuration: "3.00:00:00", maximumShortTimerDuration: "36500.00:00:00" };
    const { InvocationContext } = await import("@azure/functions");
    const state = (await fn.handler(JSON.parse(JSON.stringify(trigger)), new InvocationContext({ functionName: fn.name }))) as { actions: unknown };
    if (JSON.stringify(state.actions) !== JSON.stringify(episode.actions)) mismatches.push(`episode ${i} of ${episode.instanceId}`);
  }
  return mismatches;
}
