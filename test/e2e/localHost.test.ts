/**
 * The local host as `npm start` runs it (a child process, demo mode, its own data folder, a port
 * the OS picks): malformed and oversized requests answer JSON errors and never stop the host;
 * settings are checked at start-up in every mode; the banner names the page; Ctrl+C says what it
 * does and where the state is.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { until } from "./pageHarness";

const ENTRY = path.resolve(__dirname, "../../src/local/main.js");
const SMALL_DEMO = { DEMO_AUDIT_EVENTS: "200", DEMO_COMPLETIONS: "200", DEMO_LATENCY_MS: "0", DEMO_LIVE: "false", PROGRESS_INTERVAL_MS: "60000" };

function start(dataDir: string, env: Record<string, string> = {}): ChildProcess & { output: string[] } {
  const child = spawn(process.execPath, [ENTRY, "--data", dataDir, "--port", "0"], { cwd: os.tmpdir(), env: { PATH: process.env.PATH, ...SMALL_DEMO, ...env }, stdio: ["ignore", "pipe", "pipe"] }) as ChildProcess & { output: string[] };
  child.output = [];
  child.stdout!.on("data", (d: Buffer) => child.output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => child.output.push(d.toString()));
  return child;
}

/** Exit code and output of a start that is expected to stop by itself. */
async function startFails(dataDir: string, env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const child = start(dataDir, env);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  return { code, lines: child.output.join("").trim().split("\n") };
}

/** One raw request; the body is sent in 1 MiB chunks (no content-length unless given), stopping when the server answers or closes. */
function request(base: string, method: string, target: string, body?: { bytes: number; declareLength: boolean }): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const url = new URL(target, base);
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, headers: body?.declareLength ? { "content-length": String(body.bytes), "content-type": "application/json" } : { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) as unknown : undefined }));
    });
    req.on("error", (error) => { if (!answered) reject(error); });
    let answered = false;
    req.on("response", () => { answered = true; });
    if (!body) { req.end(); return; }
    const chunk = Buffer.alloc(1024 * 1024, "[");
    let sent = 0;
    const pump = () => {
      while (!answered && sent < body.bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) { req.once("drain", pump); return; }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** Resident memory of a process, bytes (Linux /proc). */
function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]!;
  return Number(kb) * 1024;
}

describe("the local host (npm start)", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "openai-sentinel-host-"));
  let host: ChildProcess & { output: string[] };
  let base = "";
  before(async () => {
    host = start(dataDir);
    base = await until("the banner", () => /Management API: (http:\/\/localhost:\d+)\/api\/collectors/.exec(host.output.join(""))?.[1], 30_000);
  });
  after(() => { host.kill("SIGKILL"); fs.rmSync(dataDir, { recursive: true, force: true }); });

  it("prints the page's URL with the API's", () => {
    assert.match(host.output.join(""), new RegExp(`Collectors page: ${base}/api/ui\\n`));
  });

  it("answers a malformed percent escape in the path with a 400 naming the id, and keeps serving", async () => {
    const bad = await request(base, "GET", "/api/collectors/%E0%A4%A");
    const list = await request(base, "GET", "/api/collectors");
    assert.deepEqual([bad.status, (bad.json as { error: { code: string; field: string } }).error.code, (bad.json as { error: { field: string } }).error.field, list.status, host.exitCode],
      [400, "InvalidCollectorId", "id", 200, null]);
  });

  it("refuses a 50 MB body, declared or streamed, with a 413 JSON error, without buffering it", async () => {
    const rssBefore = rssBytes(host.pid!);
    const declared = await request(base, "PUT", "/api/collectors/big", { bytes: 50 * 1024 * 1024, declareLength: true });
    const streamed = await request(base, "PUT", "/api/collectors/big", { bytes: 50 * 1024 * 1024, declareLength: false });
    const rssGrowth = rssBytes(host.pid!) - rssBefore;
    assert.deepEqual([declared.status, (declared.json as { error: { code: string; field: string } }).error, streamed.status, (streamed.json as { error: { code: string } }).error.code],
      [413, { code: "PayloadTooLarge", message: "The request body is larger than 1048576 bytes (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).", field: "body" }, 413, "PayloadTooLarge"]);
    // Buffering 50 MB costs hundreds of MB of resident memory; refusing it costs a few.
    assert.ok(rssGrowth < 40 * 1024 * 1024, `resident memory grew by ${Math.round(rssGrowth / 1024 / 1024)} MB`);
    assert.equal((await request(base, "GET", "/api/collectors/big")).status, 404);
  });

  it("answers a URL over 4 KB with 414", async () => {
    const long = await request(base, "GET", `/api/collectors/${"a".repeat(5_000)}`);
    assert.deepEqual([long.status, (long.json as { error: { code: string } }).error.code], [414, "UriTooLong"]);
  });

  it("on Ctrl+C says it is finishing the pages in flight, then where the state is, and exits 0", async () => {
    host.kill("SIGINT");
    const code = await new Promise<number | null>((r) => host.once("exit", (c) => r(c)));
    const out = host.output.join("");
    assert.deepEqual([code, /SIGINT: finishing the pages in flight \(at most 30 s\), then exiting\n/.test(out), /stopped after \d+ ms/.test(out),
      out.includes(`Durable state saved in ${path.join(dataDir, "demo", "durable-state.db")}; starting the connector again on the same --data resumes from it.`)], [0, true, true, true]);
  });
});

describe("a stop signal during start-up", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "openai-sentinel-early-"));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("is acted on once start-up has finished: the same drain, exit 0, and the next start resumes", async () => {
    const child = start(dataDir);
    // The state database exists from the first step of start-up; the demo's services start after it.
    await until("the state database", () => fs.existsSync(path.join(dataDir, "demo", "durable-state.db")) || undefined, 30_000);
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    const out = child.output.join("");
    assert.deepEqual([code, out.includes("SIGTERM during start-up: stopping once start-up has finished (again to exit at once)\n"), /SIGTERM: finishing the pages in flight/.test(out), /stopped after \d+ ms/.test(out)],
      [0, true, true, true]);
    const again = start(dataDir);
    try {
      await until("the banner", () => /Management API: (http:\/\/localhost:\d+)\/api\/collectors/.exec(again.output.join(""))?.[1], 30_000);
    } finally {
      again.kill("SIGKILL");
    }
  });
});

describe("start-up checks in demo mode", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "openai-sentinel-startup-"));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["FETCH_PARALLELISM out of range", { FETCH_PARALLELISM: "99" }, /^Setting FETCH_PARALLELISM must be a whole number from 1 to 32, got "99"$/],
    ["PROGRESS_INTERVAL_MS not a number", { PROGRESS_INTERVAL_MS: "soon" }, /^Setting PROGRESS_INTERVAL_MS must be a whole number of milliseconds from 100 to 3600000, got "soon"$/],
    ["LOCAL_CREATE_COLLECTORS neither true nor false", { LOCAL_CREATE_COLLECTORS: "maybe" }, /^Setting LOCAL_CREATE_COLLECTORS must be true or false, got "maybe"$/],
    ["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT zero", { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: "0" }, /^Setting FUNCTIONS_REQUEST_BODY_SIZE_LIMIT must be a whole number of bytes ≥ 1, got "0"$/],
    ["a COLLECTORS entry with an impossible start time", { COLLECTORS: JSON.stringify([{ id: "a", dataType: "auditLogs", friendlyName: "A", apiKeySecretName: "k", startTime: "2026-02-30T00:00:00Z" }]) },
      /^Setting COLLECTORS entry 0: startTime is not a real date: February 2026 has 28 days \(2026-02-30T00:00:00Z\)$/],
  ];
  for (const [name, env, line] of cases) {
    it(`stops with exit code 1 and one line for ${name}`, async () => {
      const { code, lines } = await startFails(dataDir, env);
      assert.deepEqual([code, lines.length], [1, 1], lines.join("\n"));
      assert.match(lines[0]!, line);
    });
  }
});
