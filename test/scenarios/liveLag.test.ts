/**
 * The lag the API shows is computed when asked (now − newest event collected), so it keeps
 * growing while a collector collects nothing: stopped, unauthorized, backing off.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { generateAuditEvents } from "../../src/local/fakes/generate";
import { liveLagSeconds } from "../../src/http/collectorView";
import { startLocalApp, type LocalApp } from "../fakes/localApp";

const NOW = Date.parse("2026-11-25T12:00:00Z");

/** Seconds from the virtual now back to the newest event the table received. */
function expectedLag(app: LocalApp): number {
  const newest = Math.max(...app.stack.ingestion.rows(AUDIT_LOGS_STREAM).map((r) => Date.parse(String(r.TimeGenerated))));
  return Math.floor((app.clock.now() - newest) / 1000);
}

async function lags(app: LocalApp, id: string): Promise<[number | null, number | null, string]> {
  const one = (await app.api("GET", `/api/collectors/${id}`)).body as { lag: number | null; status: string };
  const listed = ((await app.api("GET", "/api/collectors")).body as { collectors: Array<{ id: string; lag: number | null }> }).collectors.find((c) => c.id === id)!;
  return [one.lag, listed.lag, one.status];
}

describe("live lag", () => {
  it("grows while a collector is stopped and while it is unauthorized, in the single view and the list", async () => {
    const app = await startLocalApp(NOW);
    try {
      app.stack.openai.addAuditEvents(generateAuditEvents(300, NOW / 1000 - 3_600, NOW / 1000 - 600, 71));
      assert.equal((await app.api("PUT", "/api/collectors/org", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime: new Date(NOW - 7_200_000).toISOString() })).status, 201);
      await app.advance(5 * 60_000);
      const running = await lags(app, "org");
      await app.api("POST", "/api/collectors/org/stop");
      await app.advance(27 * 60_000);
      const stopped = await lags(app, "org");
      await app.api("POST", "/api/collectors/org/start");
      app.stack.vault.setSecret("openai-admin-key", "test-wrong-admin-key-5555");
      await app.advance(20 * 60_000);
      const unauthorized = await lags(app, "org");
      const lag = expectedLag(app);
      assert.deepEqual([running[2], stopped, unauthorized], ["running", [lag - 20 * 60, lag - 20 * 60, "stopped"], [lag, lag, "unauthorized"]]);
      assert.ok(stopped[0]! - running[0]! === 27 * 60, `stopped ${stopped[0]} s vs running ${running[0]} s`);
    } finally {
      await app.stop();
    }
  });
});

describe("liveLagSeconds", () => {
  const nowMs = Date.parse("2026-11-25T12:30:00Z");
  it("counts from newestEventAt, or for a status written before it existed, from lagSeconds plus the time since the status was updated", () => {
    const status = (custom: Record<string, unknown>, lastUpdatedTime?: string) => ({ runtimeStatus: "Running", customStatus: { state: "stopped", rowsIngested: 1, ...custom }, ...(lastUpdatedTime ? { lastUpdatedTime } : {}) });
    assert.deepEqual([
      liveLagSeconds(status({ lagSeconds: 86, newestEventAt: "2026-11-25T12:01:34.000Z" }), nowMs),
      liveLagSeconds(status({ lagSeconds: 86 }, "2026-11-25T12:03:00.000Z"), nowMs),
      liveLagSeconds(status({ lagSeconds: 86 }), nowMs),
      liveLagSeconds(status({ lagSeconds: null, newestEventAt: null }), nowMs),
      liveLagSeconds(undefined, nowMs),
    ], [1_706, 86 + 1_620, 86, null, null]);
  });
});
