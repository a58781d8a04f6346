import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prefetch } from "../../activities/prefetch";

describe("prefetch", () => {
  it("starts the work at once, and an abandoned failure is no unhandled rejection while an awaited one still throws", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    let started = 0;
    void prefetch(() => { started++; return Promise.reject(new Error("abandoned")); });
    const awaited = prefetch(() => { started++; return Promise.reject(new Error("awaited")); });
    await assert.rejects(awaited, /awaited/);
    await new Promise((r) => setImmediate(r));
    process.off("unhandledRejection", onUnhandled);
    assert.deepEqual([started, unhandled], [2, []]);
  });
});
