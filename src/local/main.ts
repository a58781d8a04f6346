/**
 * `npm start`: the whole connector on one machine. An embedded host runs the same registered
 * functions as Azure (orchestrators, activities, entity, HTTP API) on the local durable host,
 * with durable state kept on disk so a restart resumes every collector where it stopped.
 *
 * Without settings it runs against a local OpenAI organization and local Azure fakes (demo);
 * with settings (environment, `.env` or `local.settings.json`) it collects real data.
 */
import "./installCore";
import fs from "node:fs";
import path from "node:path";
import { HttpRequest } from "@azure/functions";
import { parseDeclaredCollectors } from "../collectors/reconcile";
import { readRuntimeSettings } from "../collectors/settings";
import { ConfigError } from "../config";
import { registerFunctions, type AppServices } from "../functions/register";
import type { CollectorView } from "../http/collectorView";
import { RealClock } from "./durable/clock";
import { DurableHost } from "./durable/host";
import { embeddedProgressLog } from "./embeddedProgressLog";
import { SqliteStore } from "./durable/sqliteStore";
import { DurableStateError } from "./durable/store";
import { invokeHttp } from "./durable/invoke";
import { startRpcServer } from "./durable/rpcServer";
import { DEMO_CHATGPT_ORG, DEMO_USAGE_DAYS, demoOptions, startDemo } from "./demo";
import { registeredFunctions } from "./functionsCore";
import { maxBodyBytesSetting, startHttpServer } from "./httpServer";
import { scheduleTimerFunctions } from "./timers";
import { localServices } from "./localServices";
import { localLedger } from "./localLedger";
import { ledgerTarget } from "../ledger/ledgerSettings";
import { renderProgress } from "./progress";
import { matchRoute } from "./router";
import { loadLocalSettings } from "./settingsFiles";
import { LineLog } from "./lineLog";
import { drainAndExit, shutdownGraceSeconds } from "./shutdown";

interface Args { demo: boolean; port: number | undefined; data: string | undefined }

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { demo: false, port: undefined, data: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--demo") args.demo = true;
    else if (a === "--port") args.port = Number(argv[++i]);
    else if (a === "--data") args.data = argv[++i];
    else throw new ConfigError(a, "is not an option (use --demo, --port N, --data DIR)");
  }
  return args;
}

/** PROGRESS_INTERVAL_MS (how often the terminal table is redrawn, 100–3,600,000 ms); undefined when unset. */
function progressInterval(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env.PROGRESS_INTERVAL_MS?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100 || n > 3_600_000) throw new ConfigError("PROGRESS_INTERVAL_MS", `must be a whole number of milliseconds from 100 to 3600000, got "${raw}"`);
  return n;
}

/** LOCAL_CREATE_COLLECTORS: whether live mode creates its default collectors ("true", the default, or "false"). */
function createsDefaultCollectors(env: Readonly<Record<string, string | undefined>>): boolean {
  const raw = env.LOCAL_CREATE_COLLECTORS?.trim().toLowerCase();
  if (!raw || raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigError("LOCAL_CREATE_COLLECTORS", `must be true or false, got "${env.LOCAL_CREATE_COLLECTORS ?? ""}"`);
}

/** Prints one line and exits: how start-up problems are reported. */
function die(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** A stop signal received before start-up finished: acted on once it has (see the end of main). */
let startupSignal: NodeJS.Signals | undefined;
const duringStartup = (signal: NodeJS.Signals) => {
  // A second one does not wait: nothing of this start is committed that a restart would miss.
  if (startupSignal) process.exit(0);
  startupSignal = signal;
  process.stdout.write(`${signal} during start-up: stopping once start-up has finished (again to exit at once)\n`);
};
process.on("SIGINT", duringStartup);
process.on("SIGTERM", duringStartup);

async function main(): Promise<void> {
  const root = process.cwd();
  const env = loadLocalSettings(root, process.env);
  const args = parseArgs(process.argv.slice(2));
  const port = args.port ?? Number(env.PORT ?? 7071);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(args.port !== undefined ? "--port" : "PORT", `must be a port number from 0 to 65535, got "${args.port !== undefined ? process.argv[process.argv.indexOf("--port") + 1] ?? "" : env.PORT}"`);
  // Every setting is read now, in every mode: a bad one stops the start with one line naming it,
  // instead of failing every collector later (the entity reads the tuning settings on each generation).
  const settings = readRuntimeSettings(env);
  const declared = parseDeclaredCollectors(env.COLLECTORS);
  const maxBodyBytes = maxBodyBytesSetting(env);
  const progressEveryMs = progressInterval(env);
  const createDefaults = createsDefaultCollectors(env);
  const demo = args.demo || !["OPENAI_BASE_URL", "LOGS_INGESTION_ENDPOINT", "DCR_IMMUTABLE_ID", "KEY_VAULT_URI"].some((k) => env[k]?.trim());
  const dataDir = path.resolve(args.data ?? env.LOCAL_DATA_DIR ?? path.join(root, ".data"), demo ? "demo" : "live");
  fs.mkdirSync(dataDir, { recursive: true });
  const graceSeconds = shutdownGraceSeconds(env);
  const logFile = path.join(dataDir, "host.log");
  const hostLog = new LineLog(logFile);
  const log = (line: string) => hostLog.write(`${new Date().toISOString()} ${line}`);
  /** A line for the host log and the console both. */
  const said = (line: string) => { log(line); process.stdout.write(`${line}\n`); };
  // Opened first: it holds the folder's lock, so a second process stops before it touches anything else here.
  const stateFile = path.join(dataDir, "durable-state.db");
  const store = SqliteStore.open(stateFile, { instance: (id) => host.instances.get(id), entity: (id) => host.entities.get(id) }, { legacyJsonFile: path.join(dataDir, "durable-state.json"), log: said });

  let services: AppServices;
  let defaults: Array<[string, Record<string, unknown>]>;
  /** Closed after the drain on SIGTERM (drainAndExit). */
  const afterDrain: Array<() => Promise<void>> = [];
  let source: string;
  if (demo) {
    const fakes = await startDemo(dataDir, demoOptions(env));
    // Stopped after the drain: the local ledger's database is closed (its write-ahead log folded back).
    afterDrain.push(() => fakes.stop());
    services = { deps: () => fakes.deps, settings: () => settings, declaredCollectors: () => declared, openaiBaseUrl: fakes.openai.baseUrl, complianceBaseUrl: `${fakes.openai.baseUrl}/compliance`, now: Date.now };
    const startTime = new Date((fakes.epochSeconds - 3 * 86_400) * 1000).toISOString();
    defaults = [
      ["demo-audit", { dataType: "auditLogs", friendlyName: "Demo organization audit log", apiKeySecretName: "openai-admin-key", startTime, pollIntervalSeconds: 60 }],
      ["demo-chat", { dataType: "chatCompletions", friendlyName: "Demo project completions", apiKeySecretName: "openai-project-key", startTime, pollIntervalSeconds: 60 }],
      ["demo-chatgpt", { dataType: "complianceLogs", friendlyName: "Demo ChatGPT workspace compliance logs", apiKeySecretName: "chatgpt-compliance-key", startTime, pollIntervalSeconds: 60, compliance: { ...DEMO_CHATGPT_ORG } }],
      ...(["usage", "costs"] as const).map((dataType): [string, Record<string, unknown>] => [`demo-${dataType}`, {
        dataType, friendlyName: `Demo organization ${dataType}`, apiKeySecretName: "openai-admin-key", startTime: new Date((fakes.epochSeconds - DEMO_USAGE_DAYS * 86_400) * 1000).toISOString(), pollIntervalSeconds: 60,
      }]),
    ];
    source = `demo data (a local OpenAI mock); rows are written to ${path.join(dataDir, "rows")}`;
  } else {
    // Without storage settings the delivered-id ledger is a local Table service kept beside the durable state.
    const local = ledgerTarget(env) ? undefined : await localLedger(dataDir);
    if (local) afterDrain.push(() => local.close());
    const real = localServices(env, local?.ledger);
    services = real;
    defaults = !createDefaults ? [] : [
      ["audit-logs", { dataType: "auditLogs", friendlyName: "OpenAI audit logs", apiKeySecretName: env.AUDIT_KEY_SECRET_NAME ?? "openai-admin-key" }],
      ["chat-completions", { dataType: "chatCompletions", friendlyName: "OpenAI stored completions", apiKeySecretName: env.CHAT_KEY_SECRET_NAME ?? "openai-project-key" }],
      // A ChatGPT compliance-logs collector when a workspace or organization is named.
      ...(env.CHATGPT_WORKSPACE_ID || env.CHATGPT_ORGANIZATION_ID ? [["chatgpt-compliance", { dataType: "complianceLogs", friendlyName: "ChatGPT compliance logs", apiKeySecretName: env.COMPLIANCE_KEY_SECRET_NAME ?? "chatgpt-compliance-key",
        compliance: { ...(env.CHATGPT_WORKSPACE_ID ? { workspaceId: env.CHATGPT_WORKSPACE_ID } : {}), ...(env.CHATGPT_ORGANIZATION_ID ? { organizationId: env.CHATGPT_ORGANIZATION_ID } : {}) } }] as [string, Record<string, unknown>]] : []),
      ["usage", { dataType: "usage", friendlyName: "OpenAI usage", apiKeySecretName: env.AUDIT_KEY_SECRET_NAME ?? "openai-admin-key" }],
      ["costs", { dataType: "costs", friendlyName: "OpenAI costs", apiKeySecretName: env.AUDIT_KEY_SECRET_NAME ?? "openai-admin-key" }],
    ];
    source = `${services.openaiBaseUrl}, keys from ${real.secretSource}`;
  }
  // Page progress goes straight to this process's durable host, not through its RPC listener.
  registerFunctions({ ...services, progressLog: embeddedProgressLog });

  const host: DurableHost = new DurableHost({ clock: new RealClock(), log, onChange: (urgent, change) => store.changed(change, urgent), activityConcurrency: 8 });
  const saved = store.load();
  if (saved) host.restore(saved);
  const rpc = await startRpcServer(host);
  const server = await startHttpServer(port, rpc.baseUrl, log, { maxBodyBytes, ...(env.LOCAL_FUNCTION_KEY ? { functionKey: env.LOCAL_FUNCTION_KEY } : {}) });
  host.resume();
  const timers = scheduleTimerFunctions(registeredFunctions(), rpc.baseUrl, new RealClock(), log);

  const callApi = async (method: string, apiPath: string, body?: unknown) => {
    const match = matchRoute(registeredFunctions(), method, apiPath);
    if (!match || match === "methodNotAllowed") throw new Error(`no route ${method} ${apiPath}`);
    const request = new HttpRequest({ method, url: `${server.url}/api/${apiPath}`, params: match.params, ...(body ? { body: { string: JSON.stringify(body) } } : {}) });
    return (await invokeHttp(match.fn, request, rpc.baseUrl, log)) as { status?: number; jsonBody?: unknown };
  };
  for (const [id, body] of defaults) {
    if ((await callApi("GET", `collectors/${id}`)).status === 404) {
      const created = await callApi("PUT", `collectors/${id}`, body);
      log(`created collector ${id}: HTTP ${created.status}`);
    }
  }

  process.stdout.write(`OpenAI → Sentinel connector, local host (${demo ? "demo" : "live"} mode)\n`);
  process.stdout.write(`Source: ${source}\nDurable state: ${stateFile}   Log: ${logFile}\n`);
  process.stdout.write(`Management API: ${server.url}/api/collectors\n`);
  process.stdout.write(`Collectors page: ${server.url}/api/ui\n`);
  process.stdout.write(`Stop with Ctrl+C; npm start again resumes every collector where it stopped.\n`);

  const interactive = process.stdout.isTTY;
  const everyMs = progressEveryMs ?? (interactive ? 1_000 : 5_000);
  let lastLines = 0;
  const progress = setInterval(() => {
    void callApi("GET", "collectors").then((res) => {
      const text = renderProgress((res.jsonBody as { collectors: CollectorView[] }).collectors, new Date());
      if (interactive && lastLines > 0) process.stdout.write(`\x1b[${lastLines}A\x1b[J`);
      process.stdout.write(`${text}\n`);
      lastLines = text.split("\n").length;
    }).catch((error: unknown) => log(`progress: ${(error as Error).message}`));
  }, everyMs);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second signal: what is committed stays committed; unfinished activities run again on restart.
      store.close();
      process.exit(0);
    }
    stopping = true;
    clearInterval(progress);
    timers.stop();
    process.stdout.write(`${signal}: finishing the pages in flight (at most ${graceSeconds} s), then exiting\n`);
    void drainAndExit({ host, store, servers: [server, rpc], afterDrain, graceSeconds, log: said, exit: (code) => {
      process.stdout.write(`Durable state saved in ${stateFile}; starting the connector again on the same --data resumes from it.\n`);
      hostLog.close();
      process.exit(code);
    } });
  };
  process.off("SIGINT", duringStartup);
  process.off("SIGTERM", duringStartup);
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  if (startupSignal) shutdown(startupSignal);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DurableStateError) die(error.message);
  die(`Start-up failed: ${(error as Error).message}`);
});
