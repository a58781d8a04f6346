/**
 * The real Bicep CLI (NuGet package Azure.Bicep.CommandLine.<rid>, restored with dotnet into
 * .tools/ by scripts/tools/restore-bicep.sh) driven the way users drive it: `bicep build`,
 * `bicep lint` and `bicep snapshot` (the compiler's own evaluation of a deployment for given
 * parameters and scope: every resource with its id, location and properties, expressions it
 * cannot know before deployment left as ARM expressions).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ToolLookup } from "../support/realTools";

const ROOT = path.resolve(__dirname, "../../..");
const RESTORE = path.join(ROOT, "scripts", "tools", "restore-bicep.sh");

/** One diagnostic the compiler or linter reported. */
export interface BicepDiagnostic {
  /** File, relative to the repository root (POSIX separators). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly level: "Error" | "Warning" | "Info";
  /** `BCP…` for compiler diagnostics, the rule name for linter ones. */
  readonly code: string;
  readonly message: string;
}

/** One resource of a snapshot (`predictedResources[i]`). */
export interface PredictedResource {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly apiVersion: string;
  readonly location?: string;
  readonly properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** What `bicep snapshot` returns. */
export interface Snapshot {
  readonly predictedResources: readonly PredictedResource[];
  readonly diagnostics: readonly unknown[];
  readonly outputs: Readonly<Record<string, unknown>>;
}

/** The deployment scope a snapshot evaluates against (what `az deployment group create` would supply). */
export interface SnapshotScope {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
}

let lookup: ToolLookup<string> | undefined;

/**
 * The Bicep CLI binary: restored on first use where dotnet exists (a few seconds, then cached in
 * .tools/), otherwise why it is not available. Synchronous, so tests can be declared from it.
 */
export function findBicep(): ToolLookup<string> {
  if (lookup) return lookup;
  const dotnet = spawnSync("dotnet", ["--version"], { encoding: "utf8" });
  const restored = spawnSync("bash", [RESTORE], { encoding: "utf8", timeout: 5 * 60_000 });
  const bin = restored.stdout.trim().split("\n").pop() ?? "";
  if (restored.status === 0 && fs.existsSync(bin)) lookup = { available: true, tool: bin };
  else if (dotnet.error || dotnet.status !== 0) lookup = { available: false, why: "dotnet not found: the Bicep CLI is restored from NuGet with the .NET SDK" };
  else lookup = { available: false, why: `restoring it from NuGet failed: ${restored.stderr.trim().split("\n").slice(-3).join(" ")}` };
  return lookup;
}

const DIAGNOSTIC = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([^:]+): (.*)$/;

/** Parses the CLI's default diagnostics output; a line it cannot read is reported as an Error. */
function parseDiagnostics(stderr: string): BicepDiagnostic[] {
  return stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "").map((line) => {
    const m = DIAGNOSTIC.exec(line);
    if (!m) return { file: "?", line: 0, column: 0, level: "Error" as const, code: "unparsed-output", message: line };
    return { file: path.relative(ROOT, m[1]!).split(path.sep).join("/"), line: Number(m[2]), column: Number(m[3]), level: m[4] as BicepDiagnostic["level"], code: m[5]!, message: m[6]! };
  });
}

function run(bicep: string, args: string[], cwd = ROOT) {
  const result = spawnSync(bicep, args, { cwd, encoding: "utf8", timeout: 5 * 60_000, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } });
  if (result.error) throw result.error;
  return result;
}

/**
 * `bicep build --pattern` over every `.bicep` file under `dir` (relative to the repository root),
 * writing the ARM JSON into `outDir` (same layout). Returns every diagnostic.
 */
export function buildAll(bicep: string, dir: string, outDir: string): BicepDiagnostic[] {
  return parseDiagnostics(run(bicep, ["build", "--pattern", `${dir}/**/*.bicep`, "--outdir", outDir]).stderr);
}

/** `bicep lint --pattern` over every `.bicep` file under `dir`. Returns every diagnostic. */
export function lintAll(bicep: string, dir: string): BicepDiagnostic[] {
  return parseDiagnostics(run(bicep, ["lint", "--pattern", `${dir}/**/*.bicep`]).stderr);
}

/** `bicep build` of one file (with the given bicepconfig.json, else the one found beside it); returns the ARM JSON and the diagnostics. */
export function build(bicep: string, file: string, config?: string): { template: Record<string, unknown> | undefined; diagnostics: BicepDiagnostic[] } {
  const result = run(bicep, ["build", file, "--stdout", ...(config ? ["--config", config] : [])]);
  return { template: result.status === 0 ? JSON.parse(result.stdout) as Record<string, unknown> : undefined, diagnostics: parseDiagnostics(result.stderr) };
}

/**
 * `bicep snapshot` of `template` (a .bicep file) with `parameters` (JSON values) at `scope`.
 * Throws with the CLI's output when the snapshot fails (e.g. a parameter of the wrong type).
 */
export function snapshot(bicep: string, template: string, parameters: Readonly<Record<string, unknown>>, scope: SnapshotScope): Snapshot {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bicep-snapshot-"));
  try {
    const lines = [`using '${path.relative(dir, template).split(path.sep).join("/")}'`];
    for (const [name, value] of Object.entries(parameters)) {
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(value));
      lines.push(`param ${name} = loadJsonContent('${name}.json')`);
    }
    fs.writeFileSync(path.join(dir, "deployment.bicepparam"), `${lines.join("\n")}\n`);
    const result = run(bicep, ["snapshot", "deployment.bicepparam", "--tenant-id", scope.tenantId, "--subscription-id", scope.subscriptionId,
      "--resource-group", scope.resourceGroup, "--location", scope.location], dir);
    const file = path.join(dir, "deployment.snapshot.json");
    if (result.status !== 0 || !fs.existsSync(file)) throw new Error(`bicep snapshot failed (exit ${result.status}): ${result.stdout}${result.stderr}`);
    return JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
