/** The embedded host's heap limit is the one `npm start`, the README's systemd unit and the soak benchmark use. */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { EMBEDDED_NODE_FLAGS } from "../../src/local/heapLimit";

const root = path.join(__dirname, "..", "..", "..");
const flags = EMBEDDED_NODE_FLAGS.join(" ");

describe("the embedded host's node flags", () => {
  it("are passed by npm start, npm run start:demo and the README's ExecStart, before the script", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const execStart = /^ExecStart=.*$/m.exec(fs.readFileSync(path.join(root, "README.md"), "utf8"))?.[0];
    assert.deepEqual([scripts.start, scripts["start:demo"], execStart].map((line) => line?.includes(`node ${flags} dist/src/local/main.js`)), [true, true, true]);
  });
});
