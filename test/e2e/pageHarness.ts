/**
 * What the browser tests and `npm run screenshots` share: the app started as `npm start` starts it
 * (demo mode, its own data folder, a free port), and Debian's Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Flags known to work on these machines (env skill, machines/dotnet.md "Known to work"): without the
 * background-networking ones Chromium keeps dialling Google hosts the closed network refuses.
 */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/**
 * Why the browser tests cannot run here, or undefined when they can. With REQUIRE_REAL_TOOLS=1
 * (set by .ci/run) a missing browser is an error instead.
 */
export function browserMissing(): string | undefined {
  if (fs.existsSync(CHROMIUM_PATH)) return undefined;
  const why = `${CHROMIUM_PATH} is missing; install it with apt-get install -y chromium`;
  if (process.env.REQUIRE_REAL_TOOLS === "1") throw new Error(`chromium is required (REQUIRE_REAL_TOOLS=1): ${why}`);
  return why;
}

/** Launches headless Chromium; playwright gives every launch a new, empty profile of its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** The app as `npm start` runs it. */
export interface RunningApp {
  /** `http://localhost:<port>`. */
  readonly origin: string;
  readonly dataDir: string;
  readonly output: string[];
  /** Calls the management API; returns status and parsed body. */
  api(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

const ENTRY = path.resolve(__dirname, "../../src/local/main.js");

/** Starts `node dist/src/local/main.js --port 0` in demo mode with small demo data. */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "openai-sentinel-ui-"));
  const child: ChildProcess = spawn(process.execPath, [ENTRY, "--port", "0", "--data", dataDir], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH, DEMO_AUDIT_EVENTS: "3000", DEMO_COMPLETIONS: "600", DEMO_LATENCY_MS: "5", PROGRESS_INTERVAL_MS: "600000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the app did not start within 60 s:\n${output.join("")}`)), 60_000);
    const check = () => {
      const match = /Management API: (http:\/\/localhost:\d+)\/api\/collectors/.exec(output.join(""));
      if (match) { clearTimeout(deadline); resolve(match[1]!); }
    };
    child.stdout!.on("data", check);
    void exited.then(() => { clearTimeout(deadline); reject(new Error(`the app exited:\n${output.join("")}`)); });
  });
  return {
    origin, dataDir, output,
    async api(method, apiPath, body) {
      const res = await fetch(`${origin}/api/${apiPath}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
