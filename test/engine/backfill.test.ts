/**
 * On the real Durable Task engine: a backfill of both data types, and a generation whose state is
 * larger than a queue message may be (64 KB), which the Azure Storage provider moves to a blob.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { assertEveryIdOnce, createCollector } from "../scenarios/helpers";
import { collectorStatuses, collectorView, ENGINE_RUN, startAzurite, startEngineApp, type Azurite, type EngineApp } from "./engineApp";
import { EXTENSION_TRIGGER_FIELDS } from "../../src/local/durable/triggerPayload";
import { DELIVERY_PROGRESS_ENTITY } from "../../orchestrators/names";
import type { ProgressBook } from "../../src/delivery/progress";
import { replayMismatches } from "./replay";

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The value with every ISO-8601 instant string replaced by its epoch milliseconds. */
function sameInstants(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === "string" && ISO_INSTANT.test(v) ? Date.parse(v) : v));
}

const audit = (startTime: string) => ({ dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "openai-admin-key", startTime });
const chat = (startTime: string) => ({ dataType: "chatCompletions", friendlyName: "Prod chat", apiKeySecretName: "openai-project-key", startTime });

/** ContinueAsNew inputs in the SDK's answers, in order, with the instance they continue. */
function continuations(app: EngineApp): Array<{ instanceId: string; input: unknown; bytes: number }> {
  return app.episodes().flatMap((e) => {
    const actions = ((e.result as { actions?: Array<Array<{ actionType: number; input?: unknown }>> }).actions ?? []).flat();
    const instanceId = (JSON.parse(e.payload) as { instanceId: string }).instanceId;
    return actions.filter((a) => a.actionType === 4).map((a) => ({ instanceId, input: a.input, bytes: Buffer.byteLength(JSON.stringify(a.input)) }));
  });
}

if (ENGINE_RUN) {
  describe("on the real Durable engine", () => {
    let azurite: Azurite;
    before(async () => { azurite = await startAzurite(fs.createWriteStream(path.join(os.tmpdir(), `engine-azurite-${process.pid}.log`))); });
    after(async () => { await azurite.stop(); });

    it("backfills audit logs and stored completions: every id once, no instance Failed, every history replays", async () => {
      const app = await startEngineApp(azurite, "backfill");
      try {
        const T = Date.now() / 1000;
        const events = generateAuditEvents(6_000, T - 3 * 86_400, T - 120, 101);
        const completions = generateCompletions(1_000, T - 2 * 86_400, T - 60, 102);
        app.stack.openai.addAuditEvents(events);
        app.stack.openai.addAuditEvents(generateAuditEvents(300, T - 10 * 86_400, T - 4 * 86_400, 103)); // before startTime
        app.stack.openai.addCompletions(completions);
        const startTime = new Date((T - 3 * 86_400 - 60) * 1000).toISOString();
        await createCollector(app, "org-audit", audit(startTime));
        await createCollector(app, "prod-chat", chat(startTime));
        await app.waitFor("both collectors caught up", async () => {
          const [a, c] = await Promise.all([collectorView(app, "org-audit"), collectorView(app, "prod-chat")]);
          return a.rowsIngested >= events.length && c.rowsIngested >= completions.length && a.nextRunAt !== null && c.nextRunAt !== null;
        }, 180_000);

        assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
        assertEveryIdOnce(app, CHAT_COMPLETIONS_STREAM, completions.map((c) => c.id));
        const list = (await app.api("GET", "/api/collectors")).body as { collectors: Array<Record<string, unknown>> };
        assert.deepEqual(list.collectors.map((c) => [c.id, c.status, c.rowsIngested, c.lastError]), [
          ["org-audit", "running", events.length, null],
          ["prod-chat", "running", completions.length, null],
        ]);
        assert.deepEqual(await collectorStatuses(app), ["collector-org-audit:Running", "collector-prod-chat:Running"]);
        assert.ok(continuations(app).length >= 4, `${continuations(app).length} generations`);
        // The page activities recorded their progress through their durableClient input binding, as the
        // extension binds it for an activity: each collector's book holds the runs of its newest scheduling only.
        for (const id of ["org-audit", "prod-chat"]) {
          const book = await app.entityState(DELIVERY_PROGRESS_ENTITY, id) as ProgressBook | undefined;
          const runs = Object.values(book?.runs ?? {});
          assert.ok(runs.length > 0, `${id}: no progress recorded`);
          assert.equal(new Set(runs.map((r) => r.scheduledAt)).size, 1, `${id}: runs of one scheduling`);
        }
        // The local host sends the same payload fields as this extension (src/local/durable/triggerPayload.ts).
        const { history: _h, input: _i, instanceId: _id, isReplaying: _r, ...fields } = JSON.parse(app.episodes()[0]!.payload) as Record<string, unknown>;
        assert.deepEqual(fields, EXTENSION_TRIGGER_FIELDS);
        assert.deepEqual(await replayMismatches(app.episodes()), []);
      } finally {
        await app.stop();
      }
    });

    it("keeps a busy late window out of the generation state: every continueAsNew input stays under 16 KB and carries over unchanged", async () => {
      const app = await startEngineApp(azurite, "largestate");
      try {
        // 4,000 events in the late-arrival window: the first release remembered each one in the cursor
        // (about 90 KB, the provider's large-message path); the delivered-id ledger keeps them outside.
        const T = Date.now() / 1000;
        const events = generateAuditEvents(4_000, T - 1_500, T - 120, 201);
        app.stack.openai.addAuditEvents(events);
        // Polls every minute: each poll re-reads the whole busy window, skipping what the ledger holds.
        await createCollector(app, "busy", { ...audit(new Date((T - 3_600) * 1000).toISOString()), pollIntervalSeconds: 60 });
        const busyContinuations = () => continuations(app).filter((c) => c.instanceId === "collector-busy").length;
        // A string: right after the PUT the entity may not be readable yet, and that answer has no nextRunAt at all.
        await app.waitFor("the collector caught up", async () => typeof (await collectorView(app, "busy")).nextRunAt === "string", 120_000);
        const caughtUp = busyContinuations();
        await app.waitFor("two polls after catching up", () => busyContinuations() >= caughtUp + 2, 240_000);

        // Each generation starts with exactly the state the previous one continued with.
        const inputs = app.episodes().map((e) => JSON.parse(e.payload) as { instanceId: string; input: unknown; history: Array<{ EventType: number }> })
          .filter((p) => p.instanceId === "collector-busy" && p.history.filter((h) => h.EventType === 12).length === 1).map((p) => p.input);
        const continued = continuations(app).filter((c) => c.instanceId === "collector-busy");
        assert.ok(continued.length >= 2, `${continued.length} continuations`);
        assert.deepEqual(continued.filter((c) => c.bytes >= 16_384).map((c) => c.bytes), []);
        // The extension's JSON layer re-formats date-like strings (".420Z" arrives as ".42Z"): compare instants.
        const started = new Set(inputs.map((input) => JSON.stringify(sameInstants(input))));
        assert.deepEqual(continued.slice(0, -1).filter((c) => !started.has(JSON.stringify(sameInstants(c.input)))).map((c) => c.input), []);
        assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.map((e) => e.id));
        assert.deepEqual(await collectorStatuses(app), ["collector-busy:Running"]);
        assert.deepEqual(await replayMismatches(app.episodes()), []);
      } finally {
        await app.stop();
      }
    });
  });
}
