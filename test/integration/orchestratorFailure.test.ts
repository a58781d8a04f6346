/**
 * An orchestrator that throws ends Failed on the local host with the exception's message as its
 * reason, as the Durable extension records it, not the SDK's `orchestratorReturned` (`false`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as df from "durable-functions";
import { createRequire } from "node:module";
import { orchestratorFailureMessage } from "../../src/local/durable/failure";
import { startLocalApp } from "../fakes/localApp";

const NOW = Date.parse("2026-11-25T12:00:00Z");
// The SDK's own error class (not exported from its index; it ships no typings for this file).
const { OrchestrationFailureError } = createRequire(__filename)("durable-functions/lib/src/error/OrchestrationFailureError.js") as { OrchestrationFailureError: new (returned: unknown, state: unknown) => Error };

describe("orchestrator failures on the local host", () => {
  it("reads the reason from the SDK's failure state, and falls back to the text before it", () => {
    const sdk = new OrchestrationFailureError(false, { isDone: false, actions: [], error: "Cannot read properties of undefined (reading 'organization')", schemaVersion: 1 });
    assert.deepEqual([
      orchestratorFailureMessage(sdk.message),
      orchestratorFailureMessage("returned text\n\n$OutOfProcData$:{not json"),
      orchestratorFailureMessage("returned text\n\n$OutOfProcData$:{\"error\":\"\"}"),
      orchestratorFailureMessage("plain message"),
    ], ["Cannot read properties of undefined (reading 'organization')", "returned text", "returned text", "plain message"]);
  });

  it("records the thrown error's message in the output, the status and the log", async () => {
    df.app.orchestration("failsOnPurposeForTest", function* (context) {
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1_000));
      throw new Error("the cursor is not of any known shape");
    });
    const app = await startLocalApp(NOW);
    try {
      app.host.startNew("failsOnPurposeForTest", "fails-1");
      await app.advance(2_000);
      const status = app.host.getStatus("fails-1")!;
      assert.deepEqual([status.runtimeStatus, status.output], ["Failed", "Orchestrator function 'failsOnPurposeForTest' failed: the cursor is not of any known shape"]);
      assert.equal(app.logs.filter((l) => l.includes("[fails-1] FAILED: the cursor is not of any known shape")).length, 1);
    } finally {
      await app.stop();
    }
  });
});
