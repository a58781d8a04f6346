/**
 * The project's rule for tests that need a real tool (the Bicep CLI, dotnet, chromium, azurite…):
 * with REQUIRE_REAL_TOOLS=1 (set by .ci/run) a missing tool fails the test; without it the test
 * prints one line "skipped: <tool> not available (<why>)" and is reported as skipped.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";

/** Whether a missing real tool is a failure (CI) rather than a skip (a laptop without it). */
export const REQUIRE_REAL_TOOLS = process.env.REQUIRE_REAL_TOOLS === "1";

/** A real tool found (with what the caller needs to run it), or why not. */
export type ToolLookup<T> = { readonly available: true; readonly tool: T } | { readonly available: false; readonly why: string };

/** Fails (REQUIRE_REAL_TOOLS=1) or skips the running test, with the one-line reason. */
export function missingTool(t: TestContext, tool: string, why: string): void {
  const line = `skipped: ${tool} not available (${why})`;
  if (REQUIRE_REAL_TOOLS) assert.fail(`${line}, and REQUIRE_REAL_TOOLS=1 makes it mandatory`);
  console.log(line);
  t.skip(line);
}
