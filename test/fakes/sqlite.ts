/**
 * Whether better-sqlite3 loads on the Node.js running the tests. It is a native module: a build
 * for Node 20 does not load on Node 22 (CI runs the unit tests on both; `npm run native:rebuild`
 * builds it for the Node.js that runs it). With REQUIRE_REAL_TOOLS=1 a missing binding fails the
 * test; otherwise the test prints one line and is skipped.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";

/** Why better-sqlite3 cannot be used here, or undefined when it can. */
export function sqliteUnavailable(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require("better-sqlite3") as typeof import("better-sqlite3");
    new Database(":memory:").close();
    return undefined;
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, " ").slice(0, 300);
    return `${message} (Node ${process.version}, modules ${process.versions.modules}; run npm run native:rebuild)`;
  }
}

/** True when the test can use SQLite; otherwise fails (REQUIRE_REAL_TOOLS=1) or skips it. */
export function sqliteOrSkip(t: TestContext): boolean {
  const reason = sqliteUnavailable();
  if (reason === undefined) return true;
  if (process.env.REQUIRE_REAL_TOOLS === "1") assert.fail(`better-sqlite3 not available: ${reason}`);
  console.log(`skipped: better-sqlite3 not available (${reason})`);
  t.skip("better-sqlite3 not available");
  return false;
}
