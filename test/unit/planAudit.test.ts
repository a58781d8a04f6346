import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { auditCaughtUp, auditStateOf, foldUnknownTypes, planAuditGeneration } from "../../orchestrators/auditGeneration";
import type { AuditState, ScopeCursor } from "../../orchestrators/auditState";
import { foldScope, initialScopeCursor, nextSliceSeconds, planScope, planScopes, scopeCaughtUp, shareSlots, type AuditTaskResult, type ScopePlan } from "../../orchestrators/planAudit";
import { AUDIT_SCOPES, type AuditScope } from "../../src/audit/eventTypes";
import { initialState, type RuntimeSettings } from "../../orchestrators/state";

// Late window: overlap 900 s, capped at 3,600 s before now.
const settings: RuntimeSettings = { parallelism: 3, maxPagesPerActivity: 5, chatPagesPerActivity: 5, lagSeconds: 60, overlapSeconds: 900 };
const POLL = 300;
const cursorOf = (c: Partial<ScopeCursor>): ScopeCursor => ({ origin: 0, watermark: 0, frontier: 0, inFlight: [], sliceSeconds: 1000, sweep: null, lateSweptAt: null, refused: null, lateSkipped: null, ...c });
const ok = (done: boolean, after: string | null = null, listed = 200): AuditTaskResult => ({ ok: true, cursorInvalid: false, refused: null, done, after, listed });
const failed = (after: string | null): AuditTaskResult => ({ ok: false, cursorInvalid: false, refused: null, done: false, after, listed: 100 });
const refused = (after: string | null = null): AuditTaskResult => ({ ok: true, cursorInvalid: false, refused: { status: 403, message: "tenant_only is not available" }, done: false, after, listed: 0 });
const shape = (plan: ScopePlan) => plan.tasks.map((t) => [t.slice.gte, t.slice.lt, t.slice.after, t.slice.late, t.cut, t.pruneBefore ?? null]);

describe("planScope: backfill", () => {
  it("cuts slices from the frontier up to now − lag, at most the budget, and keeps what it cut in flight", () => {
    const plan = planScope("organization", cursorOf({}), 10_000, settings, POLL);
    assert.deepEqual(shape(plan), [[0, 1000, null, false, true, null], [1000, 2000, null, false, true, null], [2000, 3000, null, false, true, null]]);
    assert.deepEqual([plan.cursor.frontier, plan.cursor.inFlight.length, plan.tasks.map((t) => t.recordSince)], [3000, 3, [6_400, 6_400, 6_400]]);
    assert.deepEqual(shape(planScope("organization", cursorOf({}), 1_500, settings, POLL)).map((t) => t.slice(0, 2)), [[0, 1000], [1000, 1440]]);
  });

  it("continues slices in flight first, keeping their cursors", () => {
    const cursor = cursorOf({ frontier: 2000, watermark: 0, inFlight: [{ gte: 0, lt: 1000, after: "a9", late: false }] });
    assert.deepEqual(shape(planScope("organization", cursor, 10_000, settings, POLL)).map((t) => t.slice(0, 5)), [[0, 1000, "a9", false, false], [2000, 3000, null, false, true], [3000, 4000, null, false, true]]);
  });

  it("moves the watermark only past slices that were fully delivered, keeps a failed slice's progress and restarts an invalid cursor", () => {
    // The drained slice listed 200 events in 1,000 s; 5 pages × 100 × 0.8 = 400 per slice wants 2,000 s.
    const plan = planScope("organization", cursorOf({}), 10_000, settings, POLL);
    const invalid: AuditTaskResult = { ok: false, cursorInvalid: true, refused: null, done: false, after: "x", listed: 0 };
    assert.deepEqual(foldScope(plan, [ok(true), failed("b5"), invalid], 10_000, settings),
      cursorOf({ watermark: 1000, frontier: 3000, inFlight: [{ gte: 1000, lt: 2000, after: "b5", late: false }, { gte: 2000, lt: 3000, after: null, late: false }], sliceSeconds: 2000 }));
  });

  it("sizes new slices from the density just seen (listed rows), at most 8× per step, within a minute and a day", () => {
    assert.deepEqual([nextSliceSeconds(1000, [{ seconds: 1000, rows: 800 }], false, settings), nextSliceSeconds(1000, [{ seconds: 1000, rows: 0 }], false, settings),
      nextSliceSeconds(1000, [{ seconds: 1000, rows: 100_000 }], false, settings), nextSliceSeconds(1000, [], true, settings), nextSliceSeconds(50_000, [{ seconds: 50_000, rows: 1 }], false, settings)],
    [500, 8000, 125, 500, 86_400]);
  });

  it("throws rather than move the watermark backwards", () => {
    const plan: ScopePlan = { cursor: cursorOf({ watermark: 500, frontier: 400 }), tasks: [] };
    assert.throws(() => foldScope(plan, [], 1000, settings), /backwards from 500 to 400/);
  });
});

describe("planScope: late sweeps", () => {
  it("an idle scope's poll is one slice over the new range and the late window together, which prunes the ledger below it", () => {
    // Sparse data widened the slices; the last sweep started at 9,700: re-read from 9,700 − 900.
    const cursor = cursorOf({ watermark: 9_940, frontier: 9_940, lateSweptAt: 9_700, sliceSeconds: 86_400 });
    const plan = planScope("organization", cursor, 10_300, settings, POLL);
    assert.deepEqual(shape(plan), [[8_800, 10_240, null, true, true, 8_800]]);
    assert.deepEqual(plan.cursor.sweep, { startedAt: 10_300, from: 8_800, next: 10_240, end: 10_240 });
    const done = foldScope(plan, [ok(true, null, 0)], 10_301, settings);
    // It listed nothing, so the scope is empty: one fan-out slot until it finds events.
    assert.deepEqual(done, { ...cursor, watermark: 10_240, frontier: 10_240, lateSweptAt: 10_300, sliceSeconds: 86_400, empty: true });
    assert.equal(scopeCaughtUp(done, 10_301, settings), true);
  });

  it("a busy window is cut by density and fanned out; the rest is cut next generation; late slices below the watermark never hold it back", () => {
    const cursor = cursorOf({ watermark: 9_940, frontier: 9_940, lateSweptAt: 9_700, sliceSeconds: 400 });
    const first = planScope("organization", cursor, 10_300, settings, POLL);
    assert.deepEqual(shape(first), [[8_800, 9_200, null, true, true, 8_800], [9_200, 9_600, null, true, true, null], [9_600, 10_000, null, true, true, null]]);
    // The middle slice overflowed; the others drained.
    const folded = foldScope(first, [ok(true, null, 400), ok(false, "m10", 500), ok(true, null, 400)], 10_310, settings);
    assert.deepEqual([folded.watermark, folded.frontier, folded.inFlight, folded.sweep, folded.lateSweptAt, folded.sliceSeconds],
      [10_000, 10_000, [{ gte: 9_200, lt: 9_600, after: "m10", late: true }], { startedAt: 10_300, from: 8_800, next: 10_000, end: 10_240 }, 9_700, 200]);
    assert.equal(scopeCaughtUp(folded, 10_310, settings), false);
    const second = planScope("organization", folded, 10_320, settings, POLL);
    assert.deepEqual(shape(second), [[9_200, 9_600, "m10", true, false, null], [10_000, 10_240, null, true, true, null]]);
    const done = foldScope(second, [ok(true), ok(true, null, 50)], 10_330, settings);
    assert.deepEqual([done.watermark, done.frontier, done.inFlight, done.sweep, done.lateSweptAt], [10_240, 10_240, [], null, 10_300]);
  });

  it("waits a poll interval between sweeps: until then only a new range of a minute or more is read, as fresh slices", () => {
    const cursor = cursorOf({ watermark: 10_240, frontier: 10_240, lateSweptAt: 10_300, sliceSeconds: 3_000 });
    assert.deepEqual(shape(planScope("organization", cursor, 10_350, settings, POLL)), []);
    assert.deepEqual(shape(planScope("organization", cursor, 10_400, settings, POLL)), [[10_240, 10_340, null, false, true, null]]);
    assert.deepEqual(shape(planScope("organization", cursor, 10_600, settings, POLL)), [[9_400, 10_540, null, true, true, 9_400]]);
  });

  it("after an outage longer than the cap, re-reads only the capped window and counts what it skipped", () => {
    // Caught up again at 20,000 after an outage; the last sweep started at 10,000.
    const cursor = cursorOf({ watermark: 19_900, frontier: 19_900, lateSweptAt: 10_000, sliceSeconds: 86_400 });
    const plan = planScope("organization", cursor, 20_000, settings, POLL);
    assert.deepEqual(shape(plan), [[16_400, 19_940, null, true, true, 16_400]]);
    assert.deepEqual(plan.cursor.lateSkipped, { seconds: 7_300, times: 1, lastFrom: 9_100, lastTo: 16_400 });
  });

  it("drops a sweep's slices that fell behind the cap while it was stalled, and counts them", () => {
    const stalled = cursorOf({ watermark: 9_000, frontier: 9_000, sweep: { startedAt: 9_100, from: 8_000, next: 9_000, end: 9_000 }, inFlight: [{ gte: 8_000, lt: 8_500, after: "s3", late: true }] });
    const plan = planScope("organization", stalled, 12_200, settings, POLL);
    assert.deepEqual([plan.cursor.inFlight, plan.cursor.lateSkipped], [[], { seconds: 500, times: 1, lastFrom: 8_000, lastTo: 8_500 }]);
    assert.deepEqual(foldScope(plan, [], 12_200, settings).lateSweptAt, 9_100);
  });
});

describe("planScope: a refused scope", () => {
  it("keeps its progress, plans nothing for an hour, counts as caught up, then probes with one request and clears the refusal once answered", () => {
    const plan = planScope("tenant", cursorOf({ frontier: 0 }), 10_000, settings, POLL);
    const after = foldScope(plan, [refused("t4"), refused(), refused()], 10_001, settings);
    assert.deepEqual([after.refused, after.inFlight.map((s) => s.after), after.watermark], [{ status: 403, reason: "tenant_only is not available", since: 10_001, retryAt: 13_601 }, ["t4", null, null], 0]);
    assert.deepEqual([planScope("tenant", after, 13_600, settings, POLL).tasks, scopeCaughtUp(after, 13_600, settings)], [[], true]);
    const retry = planScope("tenant", after, 13_601, settings, POLL);
    assert.deepEqual(shape(retry).map((t) => t.slice(0, 3)), [[0, 1000, "t4"]]);
    const again = foldScope(retry, [refused("t4")], 13_602, settings);
    assert.deepEqual(again.refused, { status: 403, reason: "tenant_only is not available", since: 10_001, retryAt: 17_202 });
    const served = foldScope(planScope("tenant", again, 17_202, settings, POLL), [ok(true)], 17_203, settings);
    assert.deepEqual([served.refused, served.watermark, shape(planScope("tenant", served, 17_204, settings, POLL)).length], [null, 1000, 3]);
  });
});

describe("a generation over both scopes", () => {
  const audit = (org: Partial<ScopeCursor>, tenant: Partial<ScopeCursor>): AuditState => ({ scopes: { organization: cursorOf(org), tenant: cursorOf(tenant) }, unknownTypes: [], otherUnknownEvents: 0 });

  it("an idle collector sends one request per scope per poll, and is caught up when a refused scope waits for its retry", () => {
    const idle = { watermark: 9_940, frontier: 9_940, lateSweptAt: 9_700, sliceSeconds: 86_400, empty: true as const };
    const plan = planAuditGeneration(audit(idle, idle), 10_300, settings, POLL);
    assert.deepEqual(plan.tasks.map((t) => [t.scope, t.slice.gte, t.slice.lt, t.slice.late]), [["organization", 8_800, 10_240, true], ["tenant", 8_800, 10_240, true]]);
    assert.equal(auditCaughtUp(audit({ frontier: 10_250, watermark: 10_250 }, { refused: { status: 404, reason: "x", since: 0, retryAt: 20_000 } }), 10_300, settings), true);
  });

  it("keeps at most 20 unknown event types with counts and first sighting, and counts the rest", () => {
    const seen = Array.from({ length: 22 }, (_, i) => ({ [`tenant.new_${i}`]: 2 }));
    const folded = foldUnknownTypes({ unknownTypes: [{ type: "tenant.new_0", count: 5, firstSeen: "2026-11-01T00:00:00.000Z" }], otherUnknownEvents: 0 }, seen, "2026-11-25T00:00:00.000Z");
    assert.deepEqual([folded.unknownTypes.length, folded.unknownTypes[0], folded.unknownTypes[1], folded.otherUnknownEvents],
      [20, { type: "tenant.new_0", count: 7, firstSeen: "2026-11-01T00:00:00.000Z" }, { type: "tenant.new_1", count: 2, firstSeen: "2026-11-25T00:00:00.000Z" }, 4]);
  });

  it("continues a first-release cursor as the organization scope and starts the tenant scope at the collector's start", () => {
    const start = initialState("c", "2026-11-24T00:00:00Z");
    const state = { ...start, audit: { origin: 1_763_942_400, watermark: 1_764_000_000, frontier: 1_764_000_600, inFlight: [{ gte: 1_764_000_000, lt: 1_764_000_600, after: "q" }], sliceSeconds: 900, late: null, lateSweptAt: 1_763_999_000, recent: ["1763999500:abc"] } } as never;
    const migrated = auditStateOf(state, 1_764_001_000, settings);
    assert.deepEqual(migrated, {
      scopes: {
        organization: cursorOf({ origin: 1_763_942_400, watermark: 1_764_000_000, frontier: 1_764_000_600, inFlight: [{ gte: 1_764_000_000, lt: 1_764_000_600, after: "q", late: false }], sliceSeconds: 900, lateSweptAt: 1_763_999_000 }),
        // The tenant scope starts as a probe: one slot until a slice finds events.
        tenant: { ...initialScopeCursor(start.startTime, 1_764_001_000, settings), empty: true },
      },
      unknownTypes: [], otherUnknownEvents: 0,
    });
  });
});

describe("fan-out between scopes: slots go where the events are", () => {
  // 8 slots; 5 pages × 100 × 0.8 = 400 events fill a slice.
  const wide: RuntimeSettings = { ...settings, parallelism: 8 };
  const audit = (org: Partial<ScopeCursor>, tenant: Partial<ScopeCursor>): AuditState => ({ scopes: { organization: cursorOf(org), tenant: cursorOf(tenant) }, unknownTypes: [], otherUnknownEvents: 0 });
  const rows = (plan: ReturnType<typeof planAuditGeneration>) => plan.tasks.map((t) => [t.scope, t.slice.gte, t.slice.lt, t.slice.after, t.cut]);
  const backfill = (scope: "organization" | "tenant", from: number, width: number, n: number) => Array.from({ length: n }, (_, i) => [scope, from + i * width, from + (i + 1) * width, null, true]);
  const slices = (from: number, width: number, n: number) => Array.from({ length: n }, (_, i) => ({ gte: from + i * width, lt: from + (i + 1) * width, after: null, late: false }));

  it("shares the slots: one each first, an empty scope keeps one, the rest go in turn to scopes with events, and unused ones to empty scopes", () => {
    const share = (a: [number, boolean], b: [number, boolean], p: number) => shareSlots([{ tasks: a[0], empty: a[1] }, { tasks: b[0], empty: b[1] }], p);
    assert.deepEqual([
      share([8, false], [8, false], 8), share([8, false], [8, true], 8), share([8, true], [8, false], 8), share([8, true], [8, true], 8),
      share([1, false], [8, true], 8), share([3, false], [8, false], 8), share([8, false], [0, true], 8), share([0, false], [8, true], 8),
      share([8, false], [8, false], 3), share([8, false], [8, true], 1), share([8, true], [8, false], 1), share([8, false], [8, true], 2),
    ], [[4, 4], [7, 1], [1, 7], [4, 4], [1, 7], [3, 5], [8, 0], [0, 8], [2, 1], [1, 0], [0, 1], [1, 1]]);
  });

  it("both scopes busy: each gets half the slots and cuts only the slices it starts", () => {
    const plan = planAuditGeneration(audit({}, {}), 100_000, wide, POLL);
    assert.deepEqual(rows(plan), [...backfill("organization", 0, 1000, 4), ...backfill("tenant", 0, 1000, 4)]);
    assert.deepEqual([plan.plans.organization.cursor, plan.plans.tenant.cursor], [cursorOf({ frontier: 4000, inFlight: slices(0, 1000, 4) }), cursorOf({ frontier: 4000, inFlight: slices(0, 1000, 4) })]);
  });

  it("tenant empty: its one slice probes a wide range and the organization gets the other seven slots", () => {
    const plan = planAuditGeneration(audit({}, { empty: true, sliceSeconds: 8000 }), 100_000, wide, POLL);
    assert.deepEqual(rows(plan), [...backfill("organization", 0, 1000, 7), ["tenant", 0, 8000, null, true]]);
    assert.deepEqual(plan.plans.tenant.cursor, cursorOf({ empty: true, sliceSeconds: 8000, frontier: 8000, inFlight: slices(0, 8000, 1) }));
  });

  it("organization empty, tenant busy: the organization keeps one slot, the tenant gets seven", () => {
    const plan = planAuditGeneration(audit({ empty: true, sliceSeconds: 64_000 }, {}), 100_000, wide, POLL);
    assert.deepEqual(rows(plan), [["organization", 0, 64_000, null, true], ...backfill("tenant", 0, 1000, 7)]);
  });

  it("an empty scope takes the slots the scope with events cannot use", () => {
    // The organization is 940 s from its horizon: one slice is all it can start.
    const plan = planAuditGeneration(audit({ watermark: 99_000, frontier: 99_000 }, { empty: true }), 100_000, wide, POLL);
    assert.deepEqual(rows(plan), [["organization", 99_000, 99_940, null, true], ...backfill("tenant", 0, 1000, 7)]);
  });

  it("tenant empty then busy: one slot, its slice widening 8×, until a slice finds events; then its fair share at once", () => {
    const first = planAuditGeneration(audit({}, {}), 100_000, wide, POLL);
    const org1 = foldScope(first.plans.organization, first.plans.organization.tasks.map(() => ok(true, null, 200)), 100_001, wide);
    const tenant1 = foldScope(first.plans.tenant, first.plans.tenant.tasks.map(() => ok(true, null, 0)), 100_001, wide);
    // 800 events over 4,000 s want 2,000 s slices; the empty tenant's width grows 8×.
    assert.deepEqual([org1, tenant1], [cursorOf({ watermark: 4000, frontier: 4000, sliceSeconds: 2000 }), cursorOf({ watermark: 4000, frontier: 4000, sliceSeconds: 8000, empty: true })]);

    const second = planAuditGeneration({ ...audit({}, {}), scopes: { organization: org1, tenant: tenant1 } }, 100_010, wide, POLL);
    assert.deepEqual(rows(second), [...backfill("organization", 4000, 2000, 7), ["tenant", 4000, 12_000, null, true]]);
    // The tenant's slice found a full budget of events and has more pages.
    const org2 = foldScope(second.plans.organization, second.plans.organization.tasks.map(() => ok(true, null, 400)), 100_011, wide);
    const tenant2 = foldScope(second.plans.tenant, [ok(false, "t1", 500)], 100_011, wide);
    assert.deepEqual(tenant2, cursorOf({ watermark: 4000, frontier: 12_000, sliceSeconds: 4000, inFlight: [{ gte: 4000, lt: 12_000, after: "t1", late: false }] }));

    const third = planAuditGeneration({ ...audit({}, {}), scopes: { organization: org2, tenant: tenant2 } }, 100_020, wide, POLL);
    assert.deepEqual(rows(third), [...backfill("organization", 18_000, 2000, 4), ["tenant", 4000, 12_000, "t1", false], ...backfill("tenant", 12_000, 4000, 3)]);
  });

  it("a scope is empty after a generation whose answered slices all listed nothing; failures alone change nothing; any event clears it", () => {
    const plan = (empty: boolean) => planScope("tenant", cursorOf(empty ? { empty: true } : {}), 100_000, { ...settings, parallelism: 2 }, POLL);
    const emptyAfter = (was: boolean, results: AuditTaskResult[]) => foldScope(plan(was), results, 100_001, settings).empty;
    assert.deepEqual([
      emptyAfter(false, [ok(true, null, 0), ok(true, null, 0)]), emptyAfter(false, [ok(true, null, 0), failed("f1")]), emptyAfter(true, [failed("f1"), failed("f2")]),
      emptyAfter(false, [failed("f1"), failed("f2")]), emptyAfter(true, [ok(true, null, 0), ok(true, null, 3)]), emptyAfter(true, [ok(false, "p2", 0), ok(true, null, 0)]),
      emptyAfter(true, [refused(), refused()]),
    ], [true, true, true, undefined, undefined, undefined, true]);
  });
});

describe("fan-out between scopes: properties", () => {
  it("shareSlots uses every slot it can, never more than a scope can start, gives each scope with work a slot when there are enough, and an empty scope more than one only when the others are saturated", () => {
    const input = fc.integer({ min: 1, max: 16 }).chain((p) => fc.tuple(fc.constant(p), fc.array(fc.record({ tasks: fc.integer({ min: 0, max: p }), empty: fc.boolean() }), { minLength: 1, maxLength: 4 })));
    fc.assert(fc.property(input, ([p, demands]) => {
      const slots = shareSlots(demands, p);
      const busy = demands.flatMap((d, i) => (!d.empty && d.tasks > 0 ? [i] : []));
      const quiet = demands.flatMap((d, i) => (d.empty && d.tasks > 0 ? [i] : []));
      assert.equal(slots.reduce((a, b) => a + b, 0), Math.min(p, demands.reduce((a, d) => a + d.tasks, 0)));
      slots.forEach((n, i) => assert.ok(n >= 0 && n <= demands[i]!.tasks));
      if (p >= busy.length) busy.forEach((i) => assert.ok(slots[i]! >= 1, `scope ${i} with events got no slot`));
      if (p >= busy.length + quiet.length) quiet.forEach((i) => assert.ok(slots[i]! >= 1, `empty scope ${i} lost its probe`));
      if (quiet.some((i) => slots[i]! > 1)) busy.forEach((i) => assert.equal(slots[i], demands[i]!.tasks));
      // Scopes with events share fairly: one has fewer than another less one only when it has nothing more to start.
      for (const i of busy) for (const j of busy) if (slots[i]! < slots[j]! - 1) assert.equal(slots[i], demands[i]!.tasks);
    }), { numRuns: 500 });
  });

  type Outcome = "empty" | "events" | "overflow" | "failed";
  const result = (o: Outcome, n: number, after: string | null): AuditTaskResult =>
    o === "empty" ? ok(true, null, 0) : o === "events" ? ok(true, null, 1 + (n % 400)) : o === "overflow" ? ok(false, `p${n}`, 500) : failed(after);
  const outcomes = fc.array(fc.constantFrom<Outcome>("empty", "events", "overflow", "failed"), { minLength: 16, maxLength: 16 });
  const generation = fc.record({ dt: fc.integer({ min: 0, max: 60 }), organization: outcomes, tenant: outcomes });
  const run = fc.record({ parallelism: fc.integer({ min: 1, max: 8 }), organizationEmpty: fc.boolean(), tenantEmpty: fc.boolean(), generations: fc.array(generation, { minLength: 1, maxLength: 25 }) });

  it("whatever the slices find, every second of each scope's range is read by exactly one backfill slice (and once by each late sweep whose window holds it), the watermark passes only read seconds, and slots follow the events", () => {
    fc.assert(fc.property(run, ({ parallelism, organizationEmpty, tenantEmpty, generations }) => {
      const s: RuntimeSettings = { ...settings, parallelism };
      let now = 200_000;
      const start = initialScopeCursor(0, now, s);
      let cursors: Record<AuditScope, ScopeCursor> = { organization: organizationEmpty ? { ...start, empty: true } : start, tenant: tenantEmpty ? { ...start, empty: true } : start };
      const read = Object.fromEntries(AUDIT_SCOPES.map((scope) => [scope, { backfill: [] as Array<[number, number]>, sweeps: new Map<number, { from: number; end: number; slices: Array<[number, number]> }>(), open: new Set<string>() }]));
      const foundEvents: Record<AuditScope, boolean> = { organization: false, tenant: false };
      const drain = Array.from({ length: 200 }, () => ({ dt: 0, organization: Array<Outcome>(16).fill("events"), tenant: Array<Outcome>(16).fill("events") }));
      let n = 0;
      for (const g of [...generations, ...drain]) {
        if (g.dt === 0 && AUDIT_SCOPES.every((scope) => scopeCaughtUp(cursors[scope], now, s))) break;
        now += g.dt;
        const demand = Object.fromEntries(AUDIT_SCOPES.map((scope) => [scope, planScope(scope, cursors[scope], now, s, POLL).tasks.length])) as Record<AuditScope, number>;
        const plans = planScopes(cursors, AUDIT_SCOPES, now, s, POLL);
        const total = AUDIT_SCOPES.reduce((a, scope) => a + plans[scope].tasks.length, 0);
        assert.ok(total <= parallelism);
        for (const scope of AUDIT_SCOPES) {
          const other = scope === "organization" ? "tenant" : "organization";
          const mine = plans[scope].tasks.length;
          // An empty scope beside one with events probes with one slice, unless the other cannot use more.
          if (cursors[scope].empty && !cursors[other].empty && mine > 1) assert.equal(plans[other].tasks.length, demand[other]);
          // A scope whose last slices found events gets its fair share back at once.
          if (foundEvents[scope]) assert.ok(mine >= Math.min(demand[scope], Math.floor(parallelism / 2)), `${scope} got ${mine} of ${demand[scope]}`);
        }
        for (const scope of AUDIT_SCOPES) {
          const plan = plans[scope];
          const log = read[scope]!;
          for (const t of plan.tasks) {
            if (!t.cut) continue;
            if (t.slice.late) {
              const sweep = plan.cursor.sweep!;
              const entry = log.sweeps.get(sweep.startedAt) ?? { from: sweep.from, end: sweep.end, slices: [] };
              entry.slices.push([t.slice.gte, t.slice.lt]);
              log.sweeps.set(sweep.startedAt, entry);
            } else log.backfill.push([t.slice.gte, t.slice.lt]);
            log.open.add(`${t.slice.late}:${t.slice.gte}:${t.slice.lt}`);
          }
          const results = plan.tasks.map((t) => result(g[scope][t.index % 16]!, n++, t.slice.after));
          results.forEach((r, i) => { if (r.ok && r.done) log.open.delete(`${plan.tasks[i]!.slice.late}:${plan.tasks[i]!.slice.gte}:${plan.tasks[i]!.slice.lt}`); });
          foundEvents[scope] = results.some((r) => r.ok && (r.listed > 0 || !r.done));
          const before = cursors[scope].watermark;
          cursors = { ...cursors, [scope]: foldScope(plan, results, now, s) };
          const c = cursors[scope];
          assert.ok(c.watermark >= before);
          // No backfill second at or after a slice not yet drained is behind the watermark.
          for (const sl of c.inFlight) if (!sl.late) assert.ok(c.watermark <= sl.gte, `watermark ${c.watermark} passed unread [${sl.gte}, ${sl.lt})`);
        }
      }
      for (const scope of AUDIT_SCOPES) {
        const c = cursors[scope];
        const log = read[scope]!;
        assert.deepEqual([c.inFlight, c.sweep, c.lateSkipped, log.open.size, c.watermark], [[], null, null, 0, c.frontier]);
        // Backfill slices never overlap; each sweep's slices tile its window; together they leave no gap in [origin, frontier).
        const sorted = (ranges: Array<[number, number]>) => [...ranges].sort((a, b) => a[0] - b[0]);
        sorted(log.backfill).reduce((at, [gte, lt]) => { assert.ok(gte >= at && lt > gte, `backfill [${gte}, ${lt}) overlaps before ${at}`); return lt; }, c.origin);
        for (const sweep of log.sweeps.values()) assert.equal(sorted(sweep.slices).reduce((at, [gte, lt]) => { assert.equal(gte, at); return lt; }, sweep.from), sweep.end);
        const covered = sorted([...log.backfill, ...[...log.sweeps.values()].map((w): [number, number] => [w.from, w.end])])
          .reduce((at, [gte, lt]) => { assert.ok(gte <= at, `gap [${at}, ${gte})`); return Math.max(at, lt); }, c.origin);
        assert.equal(covered, c.frontier);
      }
    }), { numRuns: 200 });
  });
});
