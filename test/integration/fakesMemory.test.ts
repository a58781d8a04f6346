/**
 * The local fakes as `npm start` runs them for weeks: unless a test asks for rows or requests,
 * they keep counts only, so nothing they hold grows with the rows collected.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventTypeScope } from "../../src/audit/eventTypes";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { startFakeEnvironment } from "../../src/local/fakeEnvironment";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import { toAuditLogRow } from "../../src/rows/auditLogRow";
import { ADMIN_KEY, PROJECT_KEY } from "../fakes/stack";

describe("local fakes by default", () => {
  it("keep no rows, ids or requests: only counts", async () => {
    const env = await startFakeEnvironment({ mock: { adminKey: ADMIN_KEY, projectKey: PROJECT_KEY }, secrets: {}, fastRetries: true });
    try {
      const events = generateAuditEvents(1_000, 1_764_000_000, 1_764_003_600, 3);
      env.openai.addAuditEvents(events);
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await env.deps.openai.listAuditLogs(ADMIN_KEY, { gte: 1_764_000_000, lt: 1_764_003_600, limit: 100, after });
        pages++;
        const origin = { connectorName: "memory", collectorId: "memory", collectedAt: "2026-11-25T00:00:00Z" };
        await env.deps.writer.upload(AUDIT_LOGS_STREAM, page.data.map((e) => toAuditLogRow(e, origin)));
        if (!page.hasMore) break;
        after = page.lastId ?? undefined;
      }
      assert.deepEqual({
        requestsKept: env.openai.requests.length, served: env.openai.served,
        rowsKept: env.ingestion.accepted.size, idsKept: env.ingestion.ids.size, accepted: env.ingestion.stats.accepted, uploads: env.ingestion.stats.requests,
        // Without tenant_only the endpoint lists organization events only.
      }, { requestsKept: 0, served: pages, rowsKept: 0, idsKept: 0, accepted: events.filter((e) => eventTypeScope(e.type) === "organization").length, uploads: pages });
    } finally {
      await env.stop();
    }
  });
});
