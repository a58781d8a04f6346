/** `npm start`'s entry as a child process in demo mode, and the rows it wrote: shared by the e2e tests that kill it. */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DemoOptions } from "../../src/local/demo";

const ENTRY = path.resolve(__dirname, "../../src/local/main.js");

/** A running child with everything it printed so far. */
export type DemoChild = ChildProcess & { output: string[] };

/** Starts the entry on `dataDir` and `port` with the demo sized by `options`, plus `settings` (e.g. FETCH_PARALLELISM). */
export function startDemoProcess(dataDir: string, port: number, options: DemoOptions, settings: Readonly<Record<string, string>>): DemoChild {
  const child = spawn(process.execPath, [ENTRY, "--data", dataDir, "--port", String(port)], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH, DEMO_AUDIT_EVENTS: String(options.auditBacklog), DEMO_COMPLETIONS: String(options.completionBacklog), DEMO_LATENCY_MS: String(options.latencyMs),
      ...(options.complianceBacklog !== undefined ? { DEMO_COMPLIANCE_EVENTS: String(options.complianceBacklog) } : {}),
      DEMO_LIVE: String(options.live), PROGRESS_INTERVAL_MS: "60000", ...settings },
    stdio: ["ignore", "pipe", "pipe"],
  }) as DemoChild;
  child.output = [];
  child.stdout!.on("data", (d: Buffer) => child.output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => child.output.push(d.toString()));
  return child;
}

/** The `column` (default `Id`) of the rows the demo's Logs Ingestion endpoint accepted into `table`, in arrival order (a line cut by a kill is skipped). */
export function demoRowIds(dataDir: string, table: string, column = "Id"): string[] {
  const file = path.join(dataDir, "demo", "rows", `${table}.ndjson`);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).flatMap((l) => { try { return [(JSON.parse(l) as Record<string, string>)[column]!]; } catch { return []; } });
}
