/**
 * On the real Durable Task engine: the Node worker killed mid-activity (the host restarts it and
 * reports the lost invocation as the Functions host does), and the whole instance — host and
 * worker — killed mid-activity (the engine re-delivers the abandoned work after its visibility
 * timeout). Nothing is lost, duplicates are counted, and no orchestration ends Failed.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import { arrivals, createCollector } from "../scenarios/helpers";
import { collectorStatuses, collectorView, ENGINE_RUN, startAzurite, startEngineApp, type Azurite, type EngineApp } from "./engineApp";
import { replayMismatches } from "./replay";

/** Every expected id arrived (some maybe twice), nothing else; returns how many arrived twice or more. */
function assertEveryIdAtLeastOnce(app: EngineApp, expected: readonly string[]): number {
  const counts = arrivals(app, AUDIT_LOGS_STREAM);
  const missing = expected.filter((id) => !counts.has(id));
  const wanted = new Set(expected);
  const unexpected = [...counts.keys()].filter((id) => !wanted.has(id));
  assert.deepEqual({ missing: missing.length, unexpected: unexpected.length }, { missing: 0, unexpected: 0 }, `missing ${missing.slice(0, 3).join(",")}`);
  return [...counts.values()].filter((n) => n > 1).length;
}

async function interruptMidActivity(app: EngineApp, interrupt: () => Promise<void> | void): Promise<{ events: string[]; duplicates: number }> {
  const T = Date.now() / 1000;
  const events = generateAuditEvents(5_000, T - 2 * 86_400, T - 120, 601).map((e) => e.id);
  app.stack.openai.addAuditEvents(generateAuditEvents(5_000, T - 2 * 86_400, T - 120, 601));
  let auditRequests = 0;
  let interrupted: Promise<void> | undefined;
  app.stack.openai.onRequest = (p) => {
    // The 12th page request belongs to an activity of the first fan-out: kill while it waits for the answer.
    if (p === "/v1/organization/audit_logs" && ++auditRequests === 12) interrupted = Promise.resolve(interrupt());
  };
  await createCollector(app, "org", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date((T - 2 * 86_400 - 60) * 1000).toISOString() });
  await app.waitFor("the interruption", () => interrupted !== undefined, 60_000);
  await interrupted;
  await app.waitFor("every event collected and the collector idle", async () => {
    const view = await collectorView(app, "org").catch(() => undefined);
    return view !== undefined && arrivals(app, AUDIT_LOGS_STREAM).size >= events.length && view.nextRunAt !== null;
  }, 240_000);
  return { events, duplicates: assertEveryIdAtLeastOnce(app, events) };
}

if (ENGINE_RUN) {
  describe("faults on the real Durable engine", () => {
    let azurite: Azurite;
    before(async () => { azurite = await startAzurite(fs.createWriteStream(path.join(os.tmpdir(), `engine-azurite-faults-${process.pid}.log`))); });
    after(async () => { await azurite.stop(); });

    it("the Node worker killed mid-activity: the activity's failure is retried, every event lands, nothing ends Failed", async () => {
      const app = await startEngineApp(azurite, "killworker", { latencyMs: 40 });
      try {
        const { duplicates } = await interruptMidActivity(app, () => app.killWorker());
        assert.equal(app.workerRestarts, 1);
        // The extension reports the lost invocation as the activity's failure; the collector shows it and carries on.
        const view = await collectorView(app, "org") as { status: string; lastError: { kind: string; message: string } | null };
        assert.deepEqual([view.status, view.lastError?.kind, /node exited with code 137/.test(view.lastError?.message ?? "")], ["running", "failed", true]);
        assert.deepEqual(await collectorStatuses(app), ["collector-org:Running"]);
        assert.deepEqual(await replayMismatches(app.episodes()), []);
        console.log(`worker killed mid-activity: ${duplicates} events arrived twice`);
      } finally {
        await app.stop();
      }
    });

    it("host and worker killed mid-activity: the engine re-delivers the abandoned work, every event lands, nothing ends Failed", async () => {
      const app = await startEngineApp(azurite, "crash", { latencyMs: 40 });
      try {
        const { duplicates } = await interruptMidActivity(app, () => app.crashAndRestart());
        assert.deepEqual(await collectorStatuses(app), ["collector-org:Running"]);
        assert.deepEqual(await replayMismatches(app.episodes()), []);
        console.log(`instance killed mid-activity: ${duplicates} events arrived twice`);
      } finally {
        await app.stop();
      }
    });
  });
}
