/**
 * The whole app on the real Durable Task engine for the engine scenarios: Azurite (Microsoft's
 * Azure Storage emulator), the C# engine host (WebJobs host + Durable extension + Azure Storage
 * provider, test/engine/host) and the Node worker it starts (test/engine/worker.ts, the app's own
 * registered functions), over the same OpenAI / Logs Ingestion / Key Vault fakes as the local
 * scenarios. Time is real: the engine's own timers and queues run.
 *
 * Only for `npm run test:engine` (scripts/engine/run.ts): it needs dotnet, the built host and
 * Azurite, which {@link engineTools} locates.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import type { RuntimeSettings } from "../../orchestrators/state";
import type { OpenAIMockOptions } from "../../src/local/fakes/openaiMock";
import { startStack, type Stack } from "../fakes/stack";
import type { EpisodeRecord, WorkerConfig } from "./worker";

const ROOT = path.resolve(__dirname, "../../..");
const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Where the engine tests' tools are; `missing` names what is not there (built by `npm run test:engine`). */
export function engineTools(): { hostDll: string; azurite: string; missing: string[] } {
  const hostDll = path.join(ROOT, "test/engine/host/bin/Release/net10.0/EngineHost.dll");
  const azurite = path.join(ROOT, "test/engine/tools/node_modules/azurite/dist/src/azurite.js");
  return { hostDll, azurite, missing: [hostDll, azurite].filter((p) => !fs.existsSync(p)) };
}

/** A running Azurite (in memory, ports chosen by the OS). */
export interface Azurite {
  readonly connectionString: string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts Azurite with blob, queue and table services on free loopback ports. */
export async function startAzurite(log: fs.WriteStream): Promise<Azurite> {
  const child = spawn(process.execPath, [engineTools().azurite, "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
    "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1", "--blobPort", "0", "--queuePort", "0", "--tablePort", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.pipe(log, { end: false });
  const ports: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      log.write(`[azurite] ${line}\n`);
      const m = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) ports[m[1]!] = m[2]!;
      if (ports.Blob && ports.Queue && ports.Table) resolve();
    });
    child.once("exit", (code) => reject(new Error(`azurite exited with code ${code} before listening`)));
  });
  const base = "http://127.0.0.1";
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=${base}:${ports.Blob}/devstoreaccount1;QueueEndpoint=${base}:${ports.Queue}/devstoreaccount1;TableEndpoint=${base}:${ports.Table}/devstoreaccount1;`,
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** An orchestration instance as the extension's RPC endpoint reports it. */
export interface InstanceStatus {
  readonly instanceId: string;
  readonly runtimeStatus: string;
  readonly input: unknown;
  readonly output: unknown;
  readonly customStatus: unknown;
}

/** An HTTP answer as a test reads it. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** The app running on the real engine. */
export interface EngineApp {
  readonly stack: Stack;
  /** Host, worker and Azurite output, for diagnosing a failure. */
  readonly logFile: string;
  /** Calls the management API (the app's HTTP functions in the worker). */
  api(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** Every orchestration instance of this task hub, from the extension's own status query. */
  instances(): Promise<InstanceStatus[]>;
  /** An entity's state as the extension's RPC endpoint reads it (what `readEntityState` gets); undefined when it does not exist. */
  entityState(name: string, key: string): Promise<unknown>;
  /** Every orchestrator invocation the engine made so far (payload and the SDK's answer). */
  episodes(): EpisodeRecord[];
  /** How often the worker exited and was restarted by the host. */
  readonly workerRestarts: number;
  /** SIGKILLs the Node worker (the host notices and restarts it). */
  killWorker(): void;
  /** SIGKILLs host and worker together (an instance lost), then starts them again on the same task hub. */
  crashAndRestart(): Promise<void>;
  /** Polls `predicate` (every 250 ms) until it holds; throws after `timeoutMs` with `what`. */
  waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Scenario settings: small activities so generations, fan-out and continueAsNew show. */
export const ENGINE_SETTINGS: RuntimeSettings = { parallelism: 4, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 1_800 };

/** Starts fakes, the engine host and its worker on a fresh task hub in `azurite`. */
export async function startEngineApp(azurite: Azurite, name: string, mockOptions: Partial<OpenAIMockOptions> = {}, settings: RuntimeSettings = ENGINE_SETTINGS): Promise<EngineApp> {
  const stack = await startStack(mockOptions);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `engine-${name}-`));
  const logFile = path.join(dir, "engine.log");
  const log = fs.createWriteStream(logFile, { flags: "a" });
  const episodesFile = path.join(dir, "episodes.jsonl");
  const config: WorkerConfig = { endpoints: stack.endpoints, settings, declared: [], episodesFile };
  const hub = `e${name.replace(/[^a-z0-9]/gi, "").slice(0, 20)}${process.pid}`;
  let host: ChildProcess | undefined;
  let workerPid = 0;
  let workerUrl = "";
  let rpcBaseUrl = "";
  let restarts = 0;

  async function launch(): Promise<void> {
    const child = spawn("dotnet", [engineTools().hostDll, process.execPath, path.join(ROOT, "dist/test/engine/worker.js")], {
      cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, AzureWebJobsStorage: azurite.connectionString, TASK_HUB_NAME: hub, ENGINE_WORKER_CONFIG: JSON.stringify(config), DOTNET_NOLOGO: "1" },
    });
    host = child;
    child.stderr.pipe(log, { end: false });
    await new Promise<void>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout });
      lines.on("line", (line) => {
        log.write(`[host] ${line}\n`);
        if (!line.startsWith("ENGINE ")) return;
        const event = JSON.parse(line.slice(7)) as { event: string; pid?: number; url?: string; client?: { rpcBaseUrl: string } };
        if (event.event === "workerReady") { workerPid = event.pid!; workerUrl = event.url!; }
        if (event.event === "workerExited") restarts++;
        if (event.event === "ready") { rpcBaseUrl = event.client!.rpcBaseUrl; resolve(); }
      });
      child.once("exit", (code, signal) => reject(new Error(`engine host exited (${code ?? signal}) before it was ready; see ${logFile}`)));
    });
  }

  await launch();
  const app: EngineApp = {
    stack, logFile,
    get workerRestarts() { return restarts; },
    async api(method, p, body) {
      const response = await fetch(`${workerUrl}${p}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
      const text = await response.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
      return { status: response.status, body: parsed, text };
    },
    async instances() {
      const response = await fetch(`${rpcBaseUrl}instances/?showInput=true`);
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as InstanceStatus[];
    },
    async entityState(name, key) {
      const response = await fetch(`${rpcBaseUrl}entities/${encodeURIComponent(name)}/${encodeURIComponent(key)}`);
      if (response.status === 404) return undefined;
      assert.equal(response.status, 200, await response.clone().text());
      return response.json();
    },
    episodes() {
      if (!fs.existsSync(episodesFile)) return [];
      return fs.readFileSync(episodesFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as EpisodeRecord);
    },
    killWorker() {
      process.kill(workerPid, "SIGKILL");
    },
    async crashAndRestart() {
      const dying = host!;
      const pid = workerPid;
      dying.kill("SIGKILL");
      try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
      await exited(dying);
      await launch();
    },
    async waitFor(what, predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (await predicate()) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; see ${logFile}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      const child = host!;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited(child);
      clearTimeout(timer);
      await stack.stop();
      log.end();
    },
  };
  return app;
}

/** Whether this run is `npm run test:engine` (the plain test run loads these files too, and registers no engine test). */
export const ENGINE_RUN = process.env.ENGINE_TEST_RUN === "1";

/** Runtime statuses of the collector orchestrations (entities are instances too on the real engine). */
export async function collectorStatuses(app: EngineApp): Promise<string[]> {
  return (await app.instances()).filter((i) => i.instanceId.startsWith("collector-")).map((i) => `${i.instanceId}:${i.runtimeStatus}`).sort();
}

/** The management API's view of one collector. */
export async function collectorView(app: EngineApp, id: string): Promise<{ status: string; rowsIngested: number; lastError: unknown; nextRunAt: string | null }> {
  return (await app.api("GET", `/api/collectors/${id}`)).body as { status: string; rowsIngested: number; lastError: unknown; nextRunAt: string | null };
}
