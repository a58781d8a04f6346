/**
 * The two routes to a collector's `deliveryProgress` entity: the durable client over the host's
 * RPC listener (Azure's route, through the extension) and the embedded host's direct call
 * (src/local/embeddedProgressLog.ts). They reach the same entity with the same semantics: what one
 * records the other reads, a record is the state as it was when `record` was called, and `record`
 * resolves only after the store was handed the change as urgent.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as df from "durable-functions";
import { CHAT_ANCHORS_ACTIVITY, CHAT_PAGES_ACTIVITY } from "../../orchestrators/names";
import { EMPTY_BOOK, recordProgress, type ProgressRecord } from "../../src/delivery/progress";
import { durableProgressLog } from "../../src/delivery/progressLog";
import { DurableHost } from "../../src/local/durable/host";
import { invocationContextFor } from "../../src/local/durable/invoke";
import { startRpcServer, type RpcServer } from "../../src/local/durable/rpcServer";
import type { HostChange } from "../../src/local/durable/store";
import { embeddedProgressLog } from "../../src/local/embeddedProgressLog";
import { registeredFunction } from "../../src/local/functionsCore";
import { startLocalApp, type LocalApp } from "../fakes/localApp";

describe("page progress on the embedded host", () => {
  let app: LocalApp;
  let rpc: RpcServer;
  const changes: Array<{ urgent: boolean; change: HostChange }> = [];
  before(async () => {
    app = await startLocalApp(Date.parse("2026-11-01T00:00:00Z"), {}, undefined, { onChange: (urgent, change) => changes.push({ urgent, change }) });
    // A second listener for the app's host, whose URL the test knows; the host's activities now get it (both stay up until the end).
    rpc = await startRpcServer(app.host);
  });
  after(async () => {
    await rpc.close();
    await app.stop();
  });
  const context = (name = CHAT_PAGES_ACTIVITY, baseUrl = rpc.baseUrl) => invocationContextFor(registeredFunction(name), baseUrl, () => undefined);
  const record = (runId: string, state: unknown): ProgressRecord => ({ runId, scheduledAt: 1_000, input: `digest-${runId}`, state });

  it("is read and written directly, and what one route records the other reads", async () => {
    const direct = embeddedProgressLog(context())!;
    const client = durableProgressLog(df.getClient(context()));
    await direct.record("c1", record("0.0", { after: "a", pages: 1 }));
    await client.record("c1", record("0.1", { after: "b", pages: 2 }));
    await direct.record("c1", record("0.0", { after: "c", pages: 3 }));
    const expected = [record("0.0", { after: "a", pages: 1 }), record("0.1", { after: "b", pages: 2 }), record("0.0", { after: "c", pages: 3 })].reduce(recordProgress, EMPTY_BOOK);
    assert.deepEqual([await direct.read("c1"), await client.read("c1"), await direct.read("nobody"), await client.read("nobody")], [expected, expected, undefined, undefined]);
  });

  it("stores the state as it was when `record` was called, and resolves after the store was handed the write as urgent", async () => {
    const direct = embeddedProgressLog(context())!;
    const state = { after: "x", pages: 1 };
    changes.length = 0;
    const written = direct.record("c2", record("1.0", state));
    state.after = "changed later";
    const handedBefore = changes.length;
    await written;
    assert.deepEqual([handedBefore, changes, await direct.read("c2")],
      [0, [{ urgent: true, change: { entityId: "@deliveryprogress@c2" } }], recordProgress(EMPTY_BOOK, record("1.0", { after: "x", pages: 1 }))]);
  });

  it("is not offered where no host of this process serves the binding: the caller keeps the durable client", async () => {
    // Another host with its own listener (a listener re-points the host it serves, so not the app's).
    const other = await startRpcServer(new DurableHost({ clock: app.clock }));
    const boundToOther = context(CHAT_PAGES_ACTIVITY, other.baseUrl);
    const whileServed = embeddedProgressLog(boundToOther) !== undefined;
    await other.close();
    assert.deepEqual([whileServed, embeddedProgressLog(boundToOther), embeddedProgressLog(context(CHAT_PAGES_ACTIVITY, "http://127.0.0.1:9/durabletask/")), embeddedProgressLog(context(CHAT_ANCHORS_ACTIVITY))],
      [true, undefined, undefined, undefined]);
  });
});
