/**
 * On the real Durable Task engine: the Node worker killed mid-activity (the host restarts it and
 * reports the lost invocations as the Functions host does: the generation is retried with the same
 * inputs and each call resumes from its recorded progress), and the whole instance — host and
 * worker — killed mid-activity (the engine re-delivers the abandoned work after its visibility
 * timeout, with the same inputs). Nothing is lost, at most the page in flight arrives twice per
 * activity lost, and no orchestration ends Failed.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { arrivals, createCollector, extraArrivals, generationRuns, lostCallGroup, retriedGenerations, type GenerationEpisode } from "../scenarios/helpers";
import { collectorStatuses, collectorView, ENGINE_RUN, ENGINE_SETTINGS, startAzurite, startEngineApp, type Azurite, type EngineApp } from "./engineApp";
import { replayMismatches } from "./replay";

/** A page of the audit listing: the most one activity re-sends when it is lost mid-upload. */
const PAGE_ROWS = 100;

/** Every expected id of `stream` arrived (some maybe twice), nothing else. */
function assertEveryIdAtLeastOnce(app: EngineApp, stream: string, expected: readonly string[]): void {
  const counts = arrivals(app, stream);
  const missing = expected.filter((id) => !counts.has(id));
  const wanted = new Set(expected);
  const unexpected = [...counts.keys()].filter((id) => !wanted.has(id));
  assert.deepEqual({ missing: missing.length, unexpected: unexpected.length }, { missing: 0, unexpected: 0 }, `${stream}: missing ${missing.slice(0, 3).join(",")}`);
}

/** The collector's generations as the engine ran them (from the payloads it sent the orchestrator). */
function runsOf(app: EngineApp, collectorId: string) {
  const payloads = app.episodes().map((e) => JSON.parse(e.payload) as GenerationEpisode & { instanceId: string });
  return generationRuns(payloads.filter((p) => p.instanceId === `collector-${collectorId}`));
}

/** Rows that arrived twice per delivery: each audit scope (the `Scope` column) and the chat segments. */
function duplicatesByGroup(app: EngineApp): Record<string, number> {
  return {
    "collectAuditSlice organization": extraArrivals(app, AUDIT_LOGS_STREAM, (r) => r.Scope === "organization"),
    "collectAuditSlice tenant": extraArrivals(app, AUDIT_LOGS_STREAM, (r) => r.Scope === "tenant"),
    collectChatCompletions: extraArrivals(app, CHAT_COMPLETIONS_STREAM),
  };
}

/**
 * An audit collector (both scopes) and a chat collector backfill two days; the worker or the
 * instance is interrupted while it waits for the 12th audit page. Returns the rows that arrived
 * twice per delivery ({@link duplicatesByGroup}) once every id has landed.
 */
async function interruptMidActivity(app: EngineApp, interrupt: () => Promise<void> | void): Promise<Record<string, number>> {
  const T = Date.now() / 1000;
  const events = generateAuditEvents(5_000, T - 2 * 86_400, T - 120, 601);
  const completions = generateCompletions(1_500, T - 2 * 86_400, T - 60, 602);
  app.stack.openai.addAuditEvents(events);
  app.stack.openai.addCompletions(completions);
  let auditRequests = 0;
  let interrupted: Promise<void> | undefined;
  app.stack.openai.onRequest = (p) => {
    // The 12th page request belongs to an activity of the first fan-outs: interrupt while it waits for the answer.
    if (p === "/v1/organization/audit_logs" && ++auditRequests === 12) interrupted = Promise.resolve(interrupt());
  };
  const startTime = new Date((T - 2 * 86_400 - 60) * 1000).toISOString();
  await createCollector(app, "org", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime });
  await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime });
  await app.waitFor("the interruption", () => interrupted !== undefined, 60_000);
  await interrupted;
  await app.waitFor("every event and completion collected and both collectors idle", async () => {
    const views = await Promise.all([collectorView(app, "org"), collectorView(app, "chat")]).catch(() => undefined);
    return views !== undefined && arrivals(app, AUDIT_LOGS_STREAM).size >= events.length && arrivals(app, CHAT_COMPLETIONS_STREAM).size >= completions.length && views.every((v) => v.nextRunAt !== null);
  }, 300_000);
  assertEveryIdAtLeastOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
  assertEveryIdAtLeastOnce(app, CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id));
  return duplicatesByGroup(app);
}

if (ENGINE_RUN) {
  describe("faults on the real Durable engine", () => {
    let azurite: Azurite;
    before(async () => { azurite = await startAzurite(fs.createWriteStream(path.join(os.tmpdir(), `engine-azurite-faults-${process.pid}.log`))); });
    after(async () => { await azurite.stop(); });

    it("the Node worker killed mid-activity: the activity's failure is retried, every event lands, nothing ends Failed", async () => {
      const app = await startEngineApp(azurite, "killworker", { latencyMs: 40 });
      try {
        const duplicates = await interruptMidActivity(app, () => app.killWorker());
        assert.equal(app.workerRestarts, 1);
        // Every page activity running in the worker was lost; each generation that lost one ran again with exactly its inputs.
        const retries = [...retriedGenerations(runsOf(app, "org")), ...retriedGenerations(runsOf(app, "chat"))];
        const lostCalls = retries.flatMap((r) => r.failed.lostCalls.map(lostCallGroup));
        const lost = (group: string) => lostCalls.filter((g) => g === group).length;
        for (const [group, extra] of Object.entries(duplicates)) console.log(`worker killed mid-activity: ${group}: ${lost(group)} activities lost, ${extra} rows arrived twice (bound ${PAGE_ROWS} × ${lost(group)})`);
        assert.ok(lostCalls.length >= 1 && lostCalls.length <= 2 * ENGINE_SETTINGS.parallelism, `${lostCalls.length} lost`);
        for (const r of retries) assert.deepEqual(r.retry?.scheduled, r.failed.scheduled, "the retry schedules the failed generation's inputs");
        for (const [group, extra] of Object.entries(duplicates)) assert.ok(extra <= PAGE_ROWS * lost(group), `${group}: ${extra} rows arrived twice for ${lost(group)} lost activities`);
        // The extension reports the lost invocation as the activity's failure; the collector shows it and carries on.
        const view = await collectorView(app, "org") as { status: string; lastError: { kind: string; message: string } | null };
        assert.deepEqual([view.status, view.lastError?.kind, /node exited with code 137/.test(view.lastError?.message ?? "")], ["running", "failed", true]);
        assert.deepEqual(await collectorStatuses(app), ["collector-chat:Running", "collector-org:Running"]);
        assert.deepEqual(await replayMismatches(app.episodes()), []);
      } finally {
        await app.stop();
      }
    });

    it("host and worker killed mid-activity: the engine re-delivers the abandoned work, every event lands, nothing ends Failed", async () => {
      const app = await startEngineApp(azurite, "crash", { latencyMs: 40 });
      try {
        const duplicates = await interruptMidActivity(app, () => app.crashAndRestart());
        assert.deepEqual(await collectorStatuses(app), ["collector-chat:Running", "collector-org:Running"]);
        assert.deepEqual(await replayMismatches(app.episodes()), []);
        // Re-delivered calls resume from the last record the extension applied. A record it had taken off
        // its queue but not applied when the instance died is applied only after the visibility timeout,
        // like the re-delivery itself, so a call can resume one page before the page in flight: at most
        // two pages per activity in flight (at most the fan-out width per collector).
        for (const [group, extra] of Object.entries(duplicates)) {
          console.log(`instance killed mid-activity: ${group}: ${extra} rows arrived twice (bound 2 × ${PAGE_ROWS} × ${ENGINE_SETTINGS.parallelism} activities in flight)`);
          assert.ok(extra <= 2 * PAGE_ROWS * ENGINE_SETTINGS.parallelism, `${group}: ${extra} rows arrived twice`);
        }
      } finally {
        await app.stop();
      }
    });
  });
}
