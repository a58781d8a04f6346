/**
 * The Node worker of the engine tests: the app's own registered functions (the same
 * `registerFunctions` as in Azure, over the real durable-functions SDK) in a Node process, as the
 * Functions host's Node language worker runs them. The C# engine host (test/engine/host) starts it
 * and forwards every orchestration, activity and entity invocation the real Durable extension
 * makes; the management API's HTTP functions run here too, with the durableClient binding data
 * the extension produced, so the unmodified DurableClient calls the extension's real RPC endpoint.
 *
 * Loopback HTTP, one server:
 * - `GET /functions` → `[{name, triggerType, durableClient}]` of every registered function
 *   (`durableClient`: it declares a durableClient input binding, as the page activities do);
 * - `POST /invoke/{name}` with the trigger payload exactly as the extension bound it (a string),
 *   and for a function with a durableClient input the binding data the extension produced for this
 *   invocation in the `x-durable-client` header (base64 of its JSON) →
 *   `{ok: true, result}` or `{ok: false, message, stack}` when the handler threw;
 * - `PUT /client` with the durableClient binding data;
 * - `/api/...` → the app's HTTP functions.
 * On start it prints `ENGINE-WORKER {"port": N}`; it exits when its stdin closes (the host died).
 *
 * Configuration: `ENGINE_WORKER_CONFIG`, JSON {@link WorkerConfig}. Without it the module does
 * nothing (the plain test run loads every file under dist/test).
 */
import "../../src/local/installCore";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { InvocationContext } from "@azure/functions";
import { registerFunctions } from "../../src/functions/register";
import { registeredFunction, registeredFunctions } from "../../src/local/functionsCore";
import { tryJsonParse } from "../../src/local/durable/history";
import { startHttpServer } from "../../src/local/httpServer";
import { invocationContextFor, type DurableClientBinding } from "../../src/local/durable/invoke";
import { clientsForFakes, type FakeEndpoints } from "../../src/local/fakeEnvironment";
import type { RuntimeSettings } from "../../orchestrators/state";
import type { DeclaredCollector } from "../../src/collectors/reconcile";

/** What the test harness tells the worker. */
export interface WorkerConfig {
  readonly endpoints: FakeEndpoints;
  readonly settings: RuntimeSettings;
  readonly declared: DeclaredCollector[];
  /** Every orchestrator invocation is appended here as one JSON line {@link EpisodeRecord}. */
  readonly episodesFile: string;
}

/** One orchestrator invocation as the real engine made it: the payload it sent and what the SDK answered. */
export interface EpisodeRecord {
  readonly name: string;
  readonly payload: string;
  readonly result: unknown;
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

let client: DurableClientBinding | undefined;

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Whether a function declares a durableClient input binding. */
function hasDurableClient(name: string): boolean {
  return Object.values(registeredFunction(name).bindings).some((b) => b.direction === "in" && (b.type === "durableClient" || b.type === "orchestrationClient"));
}

/**
 * Runs a handler as the Node worker does for a non-HTTP trigger: string payloads JSON-parsed, the
 * return value is the result; a durableClient input gets `clientData`, the binding data the
 * extension produced for this invocation.
 */
async function invoke(config: WorkerConfig, name: string, payload: string, clientData: DurableClientBinding | undefined): Promise<{ ok: true; result: unknown } | { ok: false; message: string; stack: string }> {
  const fn = registeredFunction(name);
  if (hasDurableClient(name) && !clientData) return { ok: false, message: `${name} has a durableClient input but the host sent no binding data`, stack: "" };
  const context = clientData
    ? invocationContextFor(fn, clientData, log)
    : new InvocationContext({ functionName: fn.name, logHandler: (level, ...args) => log(`[${fn.name}] ${level}: ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`) });
  try {
    const result = (await fn.handler(tryJsonParse(payload), context)) ?? null;
    if (fn.triggerType === "orchestrationTrigger") fs.appendFileSync(config.episodesFile, `${JSON.stringify({ name: fn.name, payload, result } satisfies EpisodeRecord)}\n`);
    return { ok: true, result };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, message: e.message, stack: e.stack ?? "" };
  }
}

async function main(config: WorkerConfig): Promise<void> {
  const deps = clientsForFakes(config.endpoints, { fastRetries: true, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) });
  registerFunctions({ deps: () => deps, settings: () => config.settings, declaredCollectors: () => config.declared, openaiBaseUrl: "https://api.openai.com/v1", now: Date.now });
  const api = await startHttpServer(0, () => {
    if (!client) throw new Error("no durableClient binding data yet");
    return client;
  }, log);
  const apiUrl = new URL(api.url);
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://worker");
      const body = await readBody(req);
      if (req.method === "GET" && url.pathname === "/functions") return send(res, 200, registeredFunctions().map((f) => ({ name: f.name, triggerType: f.triggerType, durableClient: hasDurableClient(f.name) })));
      if (req.method === "PUT" && url.pathname === "/client") {
        client = JSON.parse(body) as DurableClientBinding;
        return send(res, 200, {});
      }
      if (req.method === "POST" && url.pathname.startsWith("/invoke/")) {
        const header = req.headers["x-durable-client"];
        const clientData = typeof header === "string" ? JSON.parse(Buffer.from(header, "base64").toString("utf8")) as DurableClientBinding : undefined;
        return send(res, 200, await invoke(config, decodeURIComponent(url.pathname.slice(8)), body, clientData));
      }
      if (url.pathname.startsWith("/api/")) {
        // The management API runs on its own listener; forward so the harness needs one address.
        const proxied = http.request({ host: "127.0.0.1", port: apiUrl.port, path: req.url, method: req.method, headers: req.headers }, (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        });
        proxied.on("error", (e) => send(res, 502, { error: { code: "BadGateway", message: e.message } }));
        proxied.end(body);
        return;
      }
      send(res, 404, { error: { code: "NotFound", message: `${req.method} ${url.pathname}` } });
    })();
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
  process.stdout.write(`ENGINE-WORKER ${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
}

const configText = process.env.ENGINE_WORKER_CONFIG;
if (configText) {
  main(JSON.parse(configText) as WorkerConfig).catch((error: unknown) => {
    log(`worker failed to start: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
}
