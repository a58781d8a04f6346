/**
 * The deployment package, built as `npm run package` builds it for azd (stage, then the zip azd
 * makes of the staged folder), from a copy of this project (every file git tracks, and the built
 * dist/) into which every kind of file that must never ship was dropped: local secrets and state,
 * tool output, dev dependencies in node_modules. Then the package is opened and its app is loaded
 * with only what the package holds.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { unzipSync } from "fflate";
import { parse } from "yaml";
import { STAGE_DIR } from "../../scripts/package/layout";
import { stagePackage } from "../../scripts/package/stagePackage";
import { zipFolder } from "../../scripts/package/zipFolder";

const ROOT = path.resolve(__dirname, "../../..");
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main: string; scripts: Record<string, string>; devDependencies: Record<string, string> };
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }> };

/** Files a developer's checkout can hold that must never be deployed. */
const MUST_NOT_SHIP = [
  ".env", ".env.local", "local.settings.json", ".azure/trial/.env", ".data/demo/durable-state.json", ".bench/results.json",
  "coverage/lcov.info", ".deploy/openai-sentinel-connector.zip", ".tools/bicep/0.49.2/bicep", "node_modules/typescript/package.json",
];

function copyInto(dir: string, rel: string): void {
  fs.cpSync(path.join(ROOT, rel), path.join(dir, rel), { recursive: true });
}

/** Every file git tracks in this checkout (a new folder anyone adds is in the copy, so the package test sees it). */
function trackedFiles(): string[] {
  const git = spawnSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(git.status, 0, git.stderr);
  return git.stdout.split("\0").filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)));
}

/** Every file under `dir` (relative POSIX paths). */
function filesUnder(dir: string, prefix = ""): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/")).map((f) => prefix + f).sort();
}

/** Names of the functions an entry registers, from @azure/functions' test-mode notices (it runs outside the Functions host). */
function registeredFunctions(appDir: string): { status: number | null; functions: string[]; stderr: string } {
  const settings = { KEY_VAULT_URI: "https://kv.vault.azure.net", LOGS_INGESTION_ENDPOINT: "https://dce.swedencentral-1.ingest.monitor.azure.com", DCR_IMMUTABLE_ID: `dcr-${"0".repeat(32)}` };
  const run = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(`./${manifest.main}`)})`], { cwd: appDir, encoding: "utf8", env: { PATH: process.env.PATH, ...settings }, timeout: 60_000 });
  const functions = [...run.stderr.matchAll(/register function "([^"]+)"/g)].map((m) => m[1]!).sort();
  return { status: run.status, functions, stderr: run.stderr };
}

describe("deployment package", () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-package-"));
  let entries: string[] = [];
  let zipBytes = 0;
  let stageDir = "";
  before(() => {
    for (const rel of [...trackedFiles(), "dist"]) copyInto(project, rel);
    for (const rel of MUST_NOT_SHIP) {
      fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      fs.writeFileSync(path.join(project, rel), rel.endsWith(".json") ? "{}" : "planted\n");
    }
    stageDir = stagePackage(project, path.join(project, STAGE_DIR)).dir;
    const zip = zipFolder(stageDir);
    zipBytes = zip.byteLength;
    entries = Object.keys(unzipSync(zip)).sort();
    console.log(`deployment package: ${entries.length} files, ${(zipBytes / 1_000_000).toFixed(1)} MB zipped`);
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it("holds the built app, host.json, package.json, its lock file and node_modules, nothing else at the top", () => {
    assert.deepEqual([...new Set(entries.map((e) => e.split("/")[0]))].sort(), ["dist", "host.json", "node_modules", "package-lock.json", "package.json"]);
  });

  it("carries every built JavaScript file of the app, and no compiled test or script", () => {
    const built = filesUnder(path.join(ROOT, "dist"), "dist/").filter((f) => !f.startsWith("dist/test/") && !f.startsWith("dist/scripts/"));
    assert.deepEqual(entries.filter((e) => e.startsWith("dist/")), built);
    assert.ok(entries.includes(manifest.main), manifest.main);
  });

  it("holds exactly the production dependencies of package-lock.json, and no devDependency", () => {
    const shipped = [...new Set(entries.filter((e) => e.startsWith("node_modules/") && e.endsWith("/package.json"))
      .map((e) => e.slice(0, -"/package.json".length)).filter((dir) => dir in lock.packages))].sort();
    const production = Object.entries(lock.packages).filter(([key, p]) => key.startsWith("node_modules/") && !p.dev && !p.devOptional).map(([key]) => key).sort();
    assert.deepEqual(shipped, production);
    const devOnly = Object.keys(manifest.devDependencies).filter((name) => entries.some((e) => e.startsWith(`node_modules/${name}/`)));
    assert.deepEqual(devOnly, []);
    for (const name of ["typescript", "eslint", "openai", "@kusto/language-service-next"]) assert.ok(name in manifest.devDependencies, `${name} is a devDependency`);
  });

  it("leaves out every file that must never ship, and every source, test, template and document of the project", () => {
    assert.deepEqual(MUST_NOT_SHIP.filter((rel) => entries.includes(rel)), []);
    const kept = ["host.json", "package.json", "package-lock.json"];
    assert.deepEqual(trackedFiles().filter((f) => entries.includes(f) && !kept.includes(f)), []);
    assert.deepEqual(entries.filter((e) => /(^|\/)(\.env|local\.settings\.json)$/.test(e) || /\.ts$/.test(e) || e.startsWith("node_modules/.bin/")), []);
  });

  it("loads the app from the package with production dependencies only, registering every function the project registers", () => {
    const fromPackage = registeredFunctions(stageDir);
    const fromProject = registeredFunctions(ROOT);
    assert.equal(fromPackage.status, 0, fromPackage.stderr);
    assert.ok(fromProject.functions.length >= 10, fromProject.stderr);
    assert.deepEqual(fromPackage.functions, fromProject.functions);
  });
});

describe("azure.yaml", () => {
  const config = parse(fs.readFileSync(path.join(ROOT, "azure.yaml"), "utf8")) as { infra: Record<string, string>; services: Record<string, Record<string, unknown>> };
  it("deploys one Functions service, built locally from the staged package, staged just before azd packages it", () => {
    assert.deepEqual(config.infra, { provider: "bicep", path: "bicep", module: "main" });
    assert.deepEqual(config.services, {
      connector: {
        project: ".",
        language: "ts",
        host: "function",
        remoteBuild: false,
        dist: STAGE_DIR,
        hooks: { prepackage: { posix: { shell: "sh", run: "npm run package" }, windows: { shell: "pwsh", run: "npm run package" } } },
      },
    });
    assert.match(manifest.scripts.package!, /npm run build && node dist\/scripts\/package\/main\.js/);
  });
});
