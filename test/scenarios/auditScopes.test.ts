/**
 * Both audit scopes through the whole app (issue #12): organization events and tenant-scoped
 * events (`tenant_only=true`) in one collector and one table, late tenant events included; an
 * unknown tenant type landing whole and reported; a refused tenant scope that never holds the
 * organization back; and the idle poll at one request per scope.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventTypeScope } from "../../src/audit/eventTypes";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { generateAuditEvents, seededRandom } from "../../src/local/fakes/generate";
import type { AuditLogEvent } from "../../src/openai/types";
import { replayMismatches, startLocalApp, type LocalApp } from "../fakes/localApp";
import { assertEveryIdOnce, createCollector, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const AUDIT_PATH = "/v1/organization/audit_logs";

interface AuditView {
  status: string;
  lastError: unknown;
  rowsIngested: number;
  audit: { scopes: Record<"organization" | "tenant", { state: string; unavailable?: { status: number; reason: string; since: string; retryAt: string } }>; unknownEventTypes: unknown[]; otherUnknownEvents: number };
}

async function view(app: LocalApp, id: string): Promise<AuditView> {
  return (await app.api("GET", `/api/collectors/${id}`)).body as AuditView;
}

function auditRequests(app: LocalApp, scope?: "tenant" | "organization") {
  return app.stack.openai.requests.filter((r) => r.path === AUDIT_PATH && (scope === undefined || (r.query.get("tenant_only") === "true") === (scope === "tenant")));
}

describe("both scopes: backfill, then a steady state with late tenant events", () => {
  it("collects every organization and tenant event exactly once into one table, each row with its Scope", async () => {
    const app = await startLocalApp(NOW);
    try {
      const backlog = generateAuditEvents(6_000, T - 2 * 86_400, T - 120, 301);
      // A tenant type OpenAI added after our spec copy: it must land whole and be reported.
      const novel: AuditLogEvent = { id: "audit_log-novel-1", type: "tenant.quantum_key.rotated", effective_at: T - 3_600,
        actor: { type: "user", user: { id: "user-9", email: "nine@example.com" } }, "tenant.quantum_key.rotated": { id: "qk_1", rotation: { reason: "scheduled" } }, origin: "console" };
      app.stack.openai.addAuditEvents([...backlog, novel]);
      const random = seededRandom(302);
      const live: AuditLogEvent[] = [];
      for (let minute = 0; minute < 120; minute++) {
        for (const event of generateAuditEvents(20, T + minute * 60, T + minute * 60 + 60, 400 + minute)) {
          // A quarter of the events are listable 2–20 minutes late.
          const delay = random() < 0.25 ? 120 + random() * 1_080 : random() * 20;
          app.stack.openai.addAuditEvents([event], (event.effective_at + delay) * 1000);
          live.push(event);
        }
      }
      await createCollector(app, "org-audit", { dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 2 * 86_400_000).toISOString() });
      await app.advance(150 * 60_000);

      const all = [...backlog, novel, ...live];
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, all.map((e) => e.id));
      const rows = app.stack.ingestion.rows(AUDIT_LOGS_STREAM);
      const tenantIds = all.filter((e) => eventTypeScope(e.type) === "tenant").map((e) => e.id).sort();
      assert.ok(tenantIds.length > 1_000, `${tenantIds.length} tenant events`);
      assert.deepEqual(rows.filter((r) => r.Scope === "tenant").map((r) => r.Id).sort(), tenantIds);
      assert.deepEqual(rows.filter((r) => r.Scope !== "organization" && r.Scope !== "tenant"), []);
      const novelRow = rows.find((r) => r.Id === novel.id)!;
      assert.deepEqual([novelRow.EventType, novelRow.EventDetails, novelRow.TargetId, novelRow.ActorUserId, novelRow.AdditionalFields, novelRow.Scope],
        [novel.type, { id: "qk_1", rotation: { reason: "scheduled" } }, "qk_1", "user-9", { origin: "console", actor: novel.actor }, "tenant"]);

      const status = await view(app, "org-audit");
      assert.deepEqual([status.status, status.lastError, status.rowsIngested, status.audit.scopes.organization.state, status.audit.scopes.tenant.state],
        ["running", null, all.length, "collecting", "collecting"]);
      assert.deepEqual(status.audit.unknownEventTypes.map((u) => ({ ...(u as object), firstSeen: typeof (u as { firstSeen: unknown }).firstSeen })), [{ type: "tenant.quantum_key.rotated", count: 1, firstSeen: "string" }]);
      assert.deepEqual(runtimeStatuses(app), ["collector-org-audit:Running"]);
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });
});

describe("an audit collector carried over from the first release", () => {
  it("keeps its single-scope cursor as the organization scope, collects the tenant scope from the start, and never fails", async () => {
    const app = await startLocalApp(NOW);
    try {
      const start = T - 4 * 3_600, watermark = T - 3 * 3_600;
      const events = generateAuditEvents(2_000, start, T - 120, 71);
      await createCollector(app, "old-audit", { dataType: "auditLogs", friendlyName: "Old audit", apiKeySecretName: "openai-admin-key", startTime: new Date(start * 1000).toISOString() });
      // The instance as the first release left it: the organization cursor alone, read up to `watermark`.
      const input = app.host.getStatus("collector-old-audit")!.input as Record<string, unknown>;
      app.host.terminate("collector-old-audit", "upgrade");
      await app.host.idle();
      app.host.purge("collector-old-audit");
      const legacy = { origin: start, watermark, frontier: watermark, inFlight: [], sliceSeconds: 900, late: null, lateSweptAt: null, recent: [] };
      app.stack.openai.addAuditEvents(events);
      app.host.startNew("collectorOrchestrator", "collector-old-audit", { ...input, audit: legacy });
      await app.advance(30 * 60_000);

      // Organization events the first release had read are not read again; everything else lands once.
      const expected = events.filter((e) => eventTypeScope(e.type) === "tenant" || e.effective_at >= watermark);
      assert.ok(expected.length < events.length && events.filter((e) => eventTypeScope(e.type) === "tenant" && e.effective_at < watermark).length > 0);
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, expected.map((e) => e.id));
      const status = await view(app, "old-audit");
      assert.deepEqual([status.status, status.lastError, status.rowsIngested, status.audit.scopes.organization.state, status.audit.scopes.tenant.state, runtimeStatuses(app)],
        ["running", null, expected.length, "collecting", "collecting", ["collector-old-audit:Running"]]);
    } finally {
      await app.stop();
    }
  });
});

describe("the idle audit poll", () => {
  it("asks OpenAI once per scope when nothing changed, and still catches an event that shows up late", async () => {
    const app = await startLocalApp(NOW);
    try {
      await createCollector(app, "quiet", { dataType: "auditLogs", friendlyName: "Quiet org", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 3_600_000).toISOString() });
      await app.advance(15 * 60_000); // backfill of an empty hour, then settled polls
      const before = auditRequests(app).length;
      await app.advance(12 * 300_000);
      const idle = auditRequests(app).slice(before);
      assert.deepEqual([idle.length, auditRequests(app, "tenant").slice(-12).length], [24, 12]);
      // Every idle request is a whole late window with no cursor: [last sweep − overlap, now − lag).
      assert.deepEqual([...new Set(idle.map((r) => [r.query.get("after"), Number(r.query.get("effective_at[lt]")) - Number(r.query.get("effective_at[gte]")) >= 1_800].join()))], [",true"]);

      // An event from 20 minutes ago becomes listable now: the next idle poll still collects it.
      const late = generateAuditEvents(1, app.clock.now() / 1000 - 1_200, app.clock.now() / 1000 - 1_199, 777);
      app.stack.openai.addAuditEvents(late);
      await app.advance(300_000);
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, late.map((e) => e.id));
    } finally {
      await app.stop();
    }
  });
});

describe("a refused tenant scope", () => {
  it("keeps organization events flowing, shows the tenant scope unavailable with the server's reason, retries it at most hourly, and recovers", async () => {
    const reason = "This organization is not part of an enterprise tenant.";
    const app = await startLocalApp(NOW, { tenantOnly: { status: 403, message: reason } });
    try {
      const events = generateAuditEvents(3_000, T - 86_400, T + 4 * 3_600, 501);
      for (const e of events) app.stack.openai.addAuditEvents([e], (e.effective_at + 5) * 1000);
      const org = events.filter((e) => eventTypeScope(e.type) === "organization");
      const tenantTries: number[] = [];
      app.stack.openai.onServed = (r) => {
        if (r.path === AUDIT_PATH && r.query.get("tenant_only") === "true" && (tenantTries.length === 0 || app.clock.now() - tenantTries.at(-1)! > 60_000)) tenantTries.push(app.clock.now());
      };
      await createCollector(app, "org-audit", { dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 86_400_000).toISOString() });
      await app.advance(3 * 3_600_000);

      const delivered = new Set(app.stack.ingestion.rows(AUDIT_LOGS_STREAM).map((r) => r.Id));
      const orgDue = org.filter((e) => e.effective_at < app.clock.now() / 1000 - 600);
      assert.deepEqual([orgDue.filter((e) => !delivered.has(e.id)).length, app.stack.ingestion.rows(AUDIT_LOGS_STREAM).filter((r) => r.Scope === "tenant").length], [0, 0]);
      // Tried at the start, then about once an hour, never sooner.
      const gaps = tenantTries.slice(1).map((t, i) => t - tenantTries[i]!);
      assert.ok(tenantTries.length >= 3 && tenantTries.length <= 4 && gaps.every((g) => g >= 3_600_000 && g < 3_600_000 + 600_000), `tenant tries at ${tenantTries.map((t) => new Date(t).toISOString()).join(", ")}`);
      assert.equal(auditRequests(app, "tenant").filter((r) => r.status !== 403).length, 0);
      const status = await view(app, "org-audit");
      const unavailable = status.audit.scopes.tenant.unavailable!;
      assert.deepEqual([status.status, status.lastError, status.audit.scopes.organization.state, status.audit.scopes.tenant.state, unavailable.status, unavailable.since],
        ["running", null, "collecting", "unavailable", 403, "2026-11-25T12:00:00.000Z"]);
      assert.match(unavailable.reason, new RegExp(`HTTP 403: ${reason}`));
      assert.ok(Date.parse(unavailable.retryAt) - app.clock.now() <= 3_600_000 && Date.parse(unavailable.retryAt) > app.clock.now());

      // The tenant gets enabled: within the hour the tenant backlog since the start arrives, and the scope is collecting.
      app.stack.openai.options = { ...app.stack.openai.options, tenantOnly: "served" };
      await app.advance(3_600_000 + 600_000);
      const now = app.clock.now() / 1000;
      assertEveryIdOnce(app, AUDIT_LOGS_STREAM, events.filter((e) => e.effective_at < now - 600).map((e) => e.id));
      const after = await view(app, "org-audit");
      assert.deepEqual([after.audit.scopes.tenant.state, after.audit.scopes.tenant.unavailable, after.lastError], ["collecting", undefined, null]);
    } finally {
      await app.stop();
    }
  });
});
