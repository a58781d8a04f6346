/**
 * Which audit generations run their tasks in one activity call (orchestrators/auditGeneration.ts
 * `idleSweeps`): an idle poll of both scopes does; a backlog, a resumed slice, a sweep cut in
 * several slices, or a refused tenant scope (one task) does not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { idleSweeps, planAuditGeneration } from "../../orchestrators/auditGeneration";
import type { AuditState, ScopeCursor } from "../../orchestrators/auditState";

const settings = { parallelism: 4, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
const NOW = 1_795_608_000;
/** A scope caught up to now − lag, its last sweep one poll (300 s) ago. */
const caughtUp = (patch: Partial<ScopeCursor> = {}): ScopeCursor => ({
  origin: NOW - 86_400, watermark: NOW - 360, frontier: NOW - 360, inFlight: [], sliceSeconds: 3_600, sweep: null, lateSweptAt: NOW - 300, refused: null, lateSkipped: null, ...patch,
});
const audit = (organization: ScopeCursor, tenant: ScopeCursor): AuditState => ({ scopes: { organization, tenant }, unknownTypes: [], otherUnknownEvents: 0 });
const shape = (a: AuditState) => {
  const planned = planAuditGeneration(a, NOW, settings, 300);
  return { batched: idleSweeps(planned), tasks: planned.tasks.map((t) => [t.scope, t.slice.late, t.cut]) };
};

describe("idle audit sweeps in one call", () => {
  it("an idle poll of both scopes: one late slice each, batched", () => {
    assert.deepEqual(shape(audit(caughtUp(), caughtUp())), { batched: true, tasks: [["organization", true, true], ["tenant", true, true]] });
  });

  it("a backlog in one scope keeps one call per task", () => {
    const r = shape(audit(caughtUp({ watermark: NOW - 7_200, frontier: NOW - 7_200 }), caughtUp()));
    assert.equal(r.batched, false);
    assert.ok(r.tasks.some(([, late]) => late === false));
  });

  it("a sweep cut in several slices (a dense late window) keeps one call per task", () => {
    const r = shape(audit(caughtUp({ sliceSeconds: 60 }), caughtUp()));
    assert.deepEqual([r.batched, r.tasks.filter(([scope]) => scope === "organization").length > 1], [false, true]);
  });

  it("a slice carried from the last generation (resumed) keeps one call per task", () => {
    const carried = caughtUp({ inFlight: [{ gte: NOW - 1_200, lt: NOW - 360, after: "evt_9", late: true }], sweep: { startedAt: NOW - 300, from: NOW - 1_200, next: NOW - 360, end: NOW - 360 } });
    assert.deepEqual(shape(audit(carried, caughtUp())).batched, false);
  });

  it("a refused tenant scope waiting for its retry leaves one task: no batch needed", () => {
    const refused = caughtUp({ refused: { status: 403, reason: "no tenant", since: NOW - 600, retryAt: NOW + 3_000 } });
    assert.deepEqual(shape(audit(caughtUp(), refused)), { batched: false, tasks: [["organization", true, true]] });
  });
});
