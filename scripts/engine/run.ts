/**
 * `npm run test:engine`: builds the C# engine host (test/engine/host: the WebJobs host with the
 * real Durable extension), installs Azurite from its own lock file (test/engine/tools), then runs
 * the engine scenarios (dist/test/engine/*.test.js) with node's test runner.
 *
 * Without dotnet it prints one "skipped:" line and exits 0, unless REQUIRE_REAL_TOOLS=1 (CI), where
 * a missing tool is a failure. Run `npm run build` first (the npm script does).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");
const required = process.env.REQUIRE_REAL_TOOLS === "1";

function run(command: string, args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { cwd, env, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function main(): number {
  const dotnet = spawnSync("dotnet", ["--version"], { encoding: "utf8" });
  if (dotnet.error || dotnet.status !== 0) {
    const why = "the .NET SDK is needed to build the engine host (test/engine/host)";
    if (required) { console.error(`engine tests: dotnet not available (${why}) and REQUIRE_REAL_TOOLS=1`); return 1; }
    console.log(`skipped: dotnet not available (${why})`);
    return 0;
  }
  const tools = path.join(ROOT, "test/engine/tools");
  if (!fs.existsSync(path.join(tools, "node_modules/azurite/package.json"))) {
    if (run("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], tools) !== 0) { console.error("engine tests: installing Azurite failed"); return 1; }
  }
  if (run("dotnet", ["build", "-c", "Release", "-nologo", "-v", "q"], path.join(ROOT, "test/engine/host")) !== 0) { console.error("engine tests: building the engine host failed"); return 1; }
  const files = fs.readdirSync(path.join(ROOT, "dist/test/engine")).filter((f) => f.endsWith(".test.js")).sort().map((f) => path.join("dist/test/engine", f));
  return run(process.execPath, ["--test", "--test-reporter=spec", "--test-concurrency=1", ...files], ROOT, { ...process.env, ENGINE_TEST_RUN: "1" });
}

process.exitCode = main();
