/**
 * The embedded host as `npm start` runs it (no episode recording, state in SQLite) over eight
 * simulated hours of arrivals: what it holds in memory and on disk stays the same size while the
 * rows collected grow eightfold, and the state read back from the database is the state it ran with.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import type { HostSnapshot } from "../../src/local/durable/records";
import { SqliteStore } from "../../src/local/durable/sqliteStore";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { sqliteUnavailable } from "../fakes/sqlite";
import { createCollector } from "./helpers";

const NOW = Date.parse("2026-11-25T00:00:00Z");
const HOURS = 8;

describe("eight hours on the embedded host", { skip: sqliteUnavailable() !== undefined && process.env.REQUIRE_REAL_TOOLS !== "1" ? `skipped: better-sqlite3 not available (${sqliteUnavailable()})` : false }, () => {
  let app: LocalApp;
  let store: SqliteStore;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memory-bounds-"));
  const file = path.join(dir, "durable-state.db");

  before(async () => {
    store = SqliteStore.open(file, { instance: (id) => app.host.instances.get(id), entity: (id) => app.host.entities.get(id) });
    app = await startLocalApp(NOW, {}, undefined, { recordEpisodes: false, onChange: (urgent, change) => store.changed(change, urgent) });
    for (let minute = 0; minute < HOURS * 60; minute++) {
      const from = NOW / 1000 + minute * 60;
      app.stack.openai.addAuditEvents(generateAuditEvents(6, from, from + 60, 1_000 + minute), (from + 65) * 1000);
      app.stack.openai.addCompletions(generateCompletions(4, from, from + 60, 5_000 + minute), (from + 61) * 1000);
    }
  });
  after(async () => { await app.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  it("holds the same amount after eight hours as after one, while rows grow eightfold", async () => {
    await createCollector(app, "org-audit", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW).toISOString() });
    await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime: new Date(NOW).toISOString(), pollIntervalSeconds: 120 });
    const sample = () => {
      store.flush();
      const db = store.footprint();
      return {
        rows: app.stack.ingestion.stats.accepted,
        host: app.host.footprint(),
        stateBytes: Buffer.byteLength(JSON.stringify(app.host.snapshot())),
        clockTimers: app.clock.pendingTimers,
        dbPagesInUse: db.pages - db.freePages,
        dbHistoryRows: db.historyRows,
      };
    };
    await app.advance(3_600_000);
    const first = sample();
    // Past the last arrival by more than a poll interval plus the audit lag, so every row is in.
    await app.advance((HOURS - 1) * 3_600_000 + 10 * 60_000);
    const last = sample();
    assert.ok(last.rows > 6 * first.rows, `rows ${first.rows} → ${last.rows}`);
    // Counts of records the host keeps are the same; event counts vary with where each generation is.
    // Entities: per collector its entity and its deliveryProgress entity, and the collector index.
    assert.deepEqual({ ...last.host, historyEvents: 0, inboxEvents: 0, armedTimers: 0 }, { instances: 2, entities: 5, historyEvents: 0, inboxEvents: 0, armedTimers: 0, episodesKept: 0 });
    const within = (a: number, b: number) => b <= a * 1.5 + 64;
    assert.deepEqual({
      historyEvents: within(first.host.historyEvents, last.host.historyEvents), inboxEvents: last.host.inboxEvents <= 4, armedTimers: last.host.armedTimers <= 4,
      stateBytes: within(first.stateBytes, last.stateBytes), clockTimers: last.clockTimers <= 8, dbPagesInUse: within(first.dbPagesInUse, last.dbPagesInUse), dbHistoryRows: within(first.dbHistoryRows, last.dbHistoryRows),
    }, { historyEvents: true, inboxEvents: true, armedTimers: true, stateBytes: true, clockTimers: true, dbPagesInUse: true, dbHistoryRows: true }, JSON.stringify({ first, last }));
    // Every row arrived (ids held by the test's fake, which keeps rows on request).
    assert.deepEqual([new Set(app.stack.ingestion.rows(AUDIT_LOGS_STREAM).map((r) => r.Id)).size, new Set(app.stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).map((r) => r.Id)).size], [HOURS * 60 * 6, HOURS * 60 * 4]);
  });

  it("reads back from the database exactly the state it runs with", async () => {
    await app.host.idle();
    store.flush();
    const sorted = (s: HostSnapshot | undefined) => s && JSON.parse(JSON.stringify({ ...s, instances: [...s.instances].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1)), entities: [...s.entities].sort((a, b) => (a.key < b.key ? -1 : 1)) })) as HostSnapshot;
    const running = sorted(app.host.snapshot());
    // The store holds the database exclusively (one host per data folder): close it to read it.
    store.close();
    const reader = SqliteStore.open(file, { instance: () => undefined, entity: () => undefined });
    const stored = reader.load();
    reader.close();
    assert.deepEqual(sorted(stored), running);
  });

  it("keeps a finished instance's status but not its history", () => {
    const record = app.host.instances.get("collector-chat")!;
    assert.equal(app.host.terminate("collector-chat", "test"), "accepted");
    assert.deepEqual([record.runtimeStatus, record.history.length, app.host.getStatus("collector-chat")?.output], ["Terminated", 0, "test"]);
  });
});
