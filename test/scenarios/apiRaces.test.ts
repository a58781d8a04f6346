/**
 * Concurrent management calls on one collector: whatever order the entity and the host apply
 * them in, the result is that of some serial order — one create wins and the other is told so
 * (409), no change undoes another, and the cursor in use belongs to the run the definition shown
 * names (same start time). Each race runs its calls at once through the real registered functions
 * on the local durable host, then lets the collector run for ten virtual minutes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import type { CollectorState } from "../../orchestrators/state";
import { startLocalApp, type LocalApp } from "../fakes/localApp";
import { runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const body = (extra: Record<string, unknown> = {}) => ({ dataType: "auditLogs", friendlyName: "Race", apiKeySecretName: "openai-admin-key", startTime: "2026-11-25T08:00:00Z", ...extra });
type View = { friendlyName: string; startTime: string; definitionVersion: number };

/** The definition shown, the run its entity names, and the state the instance's current generation collects with. */
async function settled(app: LocalApp, id: string): Promise<{ view: View; runId: string | undefined; cursor: CollectorState }> {
  const view = (await app.api("GET", `/api/collectors/${id}`)).body as View;
  const entity = app.host.readEntity("collector", id).state as { definition: { run?: { id: string } } };
  const cursor = app.host.instances.get(`collector-${id}`)!.input as CollectorState;
  return { view, runId: entity.definition.run?.id, cursor };
}

/** Audit rows delivered with TimeGenerated before `iso`. */
function rowsBefore(app: LocalApp, iso: string): number {
  return app.stack.ingestion.rows(AUDIT_LOGS_STREAM).filter((r) => String(r.TimeGenerated) < iso).length;
}

async function withApp(run: (app: LocalApp) => Promise<void>): Promise<void> {
  const app = await startLocalApp(NOW);
  try {
    app.stack.openai.addAuditEvents(generateAuditEvents(2_000, NOW / 1000 - 4 * 3_600, NOW / 1000 - 120, 3));
    await run(app);
  } finally {
    await app.stop();
  }
}

describe("concurrent management calls", () => {
  it("two creates at once: one answers 201; the other 409 changing nothing, or (applied after it) 200 as a modify; the cursor starts at the creator's startTime", () => withApp(async (app) => {
    const sent = [body({ friendlyName: "A", startTime: "2026-11-25T09:00:00Z" }), body({ friendlyName: "B", startTime: "2026-11-25T11:00:00Z" })];
    const answers = await Promise.all(sent.map((b) => app.api("PUT", "/api/collectors/fresh", b)));
    await app.advance(600_000);
    const created = answers.findIndex((a) => a.status === 201);
    const winner = answers[created]!.body as View;
    const other = answers[1 - created]!;
    // Both serial orders are correct: the second create lost the race (409, nothing changed), or it arrived after the
    // first was applied and is a modify (200: its fields are shown as version 2, the cursor keeps the creator's start).
    const modified = other.status === 200;
    const last = modified ? sent[1 - created]! : { friendlyName: winner.friendlyName, startTime: winner.startTime };
    const { view, runId, cursor } = await settled(app, "fresh");
    assert.deepEqual({
      statuses: answers.map((a) => a.status).sort(), loser: (answers.find((a) => a.status === 409)?.body as { error: { code: string } } | undefined)?.error.code,
      shown: [view.friendlyName, view.startTime, view.definitionVersion], cursor: [new Date(cursor.startTime * 1000).toISOString(), cursor.runId === runId],
      rowsBeforeStart: rowsBefore(app, winner.startTime), instances: runtimeStatuses(app),
    }, {
      statuses: modified ? [200, 201] : [201, 409], loser: modified ? undefined : "CreateConflict",
      shown: [last.friendlyName, new Date(String(last.startTime)).toISOString(), modified ? 2 : 1], cursor: [winner.startTime, true],
      rowsBeforeStart: 0, instances: ["collector-fresh:Running"],
    });
  }));

  it("two resets at once: both apply, the last one the entity applied wins, and the cursor follows it", () => withApp(async (app) => {
    assert.equal((await app.api("PUT", "/api/collectors/race", body())).status, 201);
    await app.advance(120_000);
    const answers = await Promise.all([
      app.api("POST", "/api/collectors/race/reset", { startTime: "2026-11-25T09:00:00Z" }),
      app.api("POST", "/api/collectors/race/reset", { startTime: "2026-11-25T11:00:00Z" }),
    ]);
    await app.advance(600_000);
    const { view, runId, cursor } = await settled(app, "race");
    assert.deepEqual({
      statuses: answers.map((a) => a.status), version: view.definitionVersion, startTimes: ["2026-11-25T09:00:00.000Z", "2026-11-25T11:00:00.000Z"].includes(view.startTime),
      cursor: [new Date(cursor.startTime * 1000).toISOString(), cursor.runId === runId], instances: runtimeStatuses(app),
    }, { statuses: [200, 200], version: 3, startTimes: true, cursor: [view.startTime, true], instances: ["collector-race:Running"] });
  }));

  it("a delete racing a reset and a start: the collector is gone, nothing collects for it afterwards, and no instance stays active", () => withApp(async (app) => {
    assert.equal((await app.api("PUT", "/api/collectors/race", body())).status, 201);
    await app.advance(120_000);
    const rowsOf = () => app.stack.ingestion.rows(AUDIT_LOGS_STREAM).filter((r) => r.ConnectorName === "Race").length;
    const answers = await Promise.all([
      app.api("DELETE", "/api/collectors/race"),
      app.api("POST", "/api/collectors/race/reset", { startTime: "2026-11-25T09:00:00Z" }),
      app.api("POST", "/api/collectors/race/start"),
    ]);
    const atDelete = rowsOf();
    await app.advance(600_000);
    assert.deepEqual({
      deleted: answers[0].status, shown: (await app.api("GET", "/api/collectors/race")).status, rowsSince: rowsOf() - atDelete,
      active: runtimeStatuses(app).filter((s) => /:(Running|Pending)$/.test(s)),
    }, { deleted: 204, shown: 404, rowsSince: 0, active: [] });
  }));

  it("a change and a reset at once: neither is lost, and the cursor runs from the reset's start time", () => withApp(async (app) => {
    assert.equal((await app.api("PUT", "/api/collectors/race", body())).status, 201);
    await app.advance(120_000);
    const answers = await Promise.all([
      app.api("PUT", "/api/collectors/race", body({ friendlyName: "changed", startTime: "2026-11-25T10:00:00Z" })),
      app.api("POST", "/api/collectors/race/reset", { startTime: "2026-11-25T11:00:00Z" }),
    ]);
    await app.advance(600_000);
    const { view, runId, cursor } = await settled(app, "race");
    // Change then reset shows 11:00; reset then change shows 10:00 (a change keeps the cursor). Either way the cursor is the reset's run, from 11:00.
    assert.deepEqual({
      statuses: answers.map((a) => a.status), shown: [view.friendlyName, view.definitionVersion, ["2026-11-25T10:00:00.000Z", "2026-11-25T11:00:00.000Z"].includes(view.startTime)],
      cursor: [new Date(cursor.startTime * 1000).toISOString(), cursor.runId === runId, runId !== undefined], instances: runtimeStatuses(app),
    }, { statuses: [200, 200], shown: ["changed", 3, true], cursor: ["2026-11-25T11:00:00.000Z", true, true], instances: ["collector-race:Running"] });
  }));

  it("two changes at once: both count (version + 2) and the fields of both land when they touch different ones", () => withApp(async (app) => {
    assert.equal((await app.api("PUT", "/api/collectors/race", body())).status, 201);
    const answers = await Promise.all([
      app.api("PUT", "/api/collectors/race", body({ friendlyName: "renamed" })),
      app.api("PUT", "/api/collectors/race", body({ friendlyName: "renamed", pollIntervalSeconds: 120 })),
    ]);
    await app.advance(60_000);
    const { view } = await settled(app, "race");
    assert.deepEqual([answers.map((a) => a.status), view.friendlyName, view.definitionVersion, (view as View & { pollIntervalSeconds: number }).pollIntervalSeconds], [[200, 200], "renamed", 3, 120]);
  }));
});
