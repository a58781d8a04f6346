/**
 * A page activity lost by the platform (its Node worker exited before the result reached the host),
 * which the real engine reports to the orchestrator as the activity's failure (seen on the engine
 * tests: test/engine/faults.test.ts). On the local host the same failure is injected. The
 * generation is retried with the very same activity inputs, so each call resumes from the
 * progress it recorded: at most the page in flight is sent twice per lost activity, nothing is
 * lost, and no instance ends Failed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUDIT_LOGS_STREAM, CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { AUDIT_SLICE_ACTIVITY, CHAT_PAGES_ACTIVITY, collectorInstanceId } from "../../orchestrators/names";
import type { DurableHost } from "../../src/local/durable/host";
import { replayMismatches, SCENARIO_SETTINGS, startLocalApp } from "../fakes/localApp";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { arrivals, createCollector, extraArrivals, generationRuns, retriedGenerations, runtimeStatuses } from "./helpers";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const T = NOW / 1000;
const WORKER_EXIT = "node exited with code 137 (0x89)";
const STREAM_OF: Record<string, string> = { [AUDIT_SLICE_ACTIVITY]: AUDIT_LOGS_STREAM, [CHAT_PAGES_ACTIVITY]: CHAT_COMPLETIONS_STREAM };

/** The generations of a collector on the local host, and the retries of those that lost an activity. */
function retriesOf(host: DurableHost, collectorId: string) {
  return retriedGenerations(generationRuns(host.episodes.filter((e) => e.instanceId === collectorInstanceId(collectorId))));
}

/** Both collectors backfill a day of `events` audit events and `completions` stored completions for `ms`; per collector: id, stream, the ids it must deliver. */
async function backfillBoth(app: Awaited<ReturnType<typeof startLocalApp>>, events: number, completions: number, seed: number, ms: number): Promise<Array<readonly [string, string, string[]]>> {
  const auditEvents = generateAuditEvents(events, T - 86_400, T - 120, seed);
  const stored = generateCompletions(completions, T - 86_400, T - 60, seed + 1);
  app.stack.openai.addAuditEvents(auditEvents);
  app.stack.openai.addCompletions(stored);
  const startTime = new Date(NOW - 86_400_000 - 60_000).toISOString();
  await createCollector(app, "org", { dataType: "auditLogs", friendlyName: "Org", apiKeySecretName: "openai-admin-key", startTime });
  await createCollector(app, "chat", { dataType: "chatCompletions", friendlyName: "Chat", apiKeySecretName: "openai-project-key", startTime });
  await app.advance(ms);
  return [["org", AUDIT_LOGS_STREAM, auditEvents.map((e) => e.id)], ["chat", CHAT_COMPLETIONS_STREAM, stored.map((c) => c.id)]];
}

async function collectorView(app: Awaited<ReturnType<typeof startLocalApp>>, id: string): Promise<[string, string | undefined, boolean | undefined]> {
  const view = (await app.api("GET", `/api/collectors/${id}`)).body as { status: string; lastError: { kind: string; message: string } | null };
  return [view.status, view.lastError?.kind, view.lastError?.message.includes(WORKER_EXIT)];
}

describe("a page activity lost by the platform", () => {
  it("after it delivered its pages: the generation runs again with the same inputs, the lost call re-sends at most its last page, the others nothing", async () => {
    const calls = new Map<string, number>();
    // The third audit activity of each scope and the second chat activity lose their results after
    // uploading. A call records no state after its last page (its result carries it), so that page is
    // sent again; the calls beside it finished, the orchestrator records their results, and they send nothing again.
    const lose = (name: string, input: unknown) => {
      const kind = name === AUDIT_SLICE_ACTIVITY ? `${name} ${(input as { scope?: string }).scope ?? "organization"}` : name;
      const n = (calls.get(kind) ?? 0) + 1;
      calls.set(kind, n);
      return (name === AUDIT_SLICE_ACTIVITY && n === 3) || (name === CHAT_PAGES_ACTIVITY && n === 2) ? WORKER_EXIT : undefined;
    };
    const app = await startLocalApp(NOW, {}, undefined, { loseActivityResult: lose });
    try {
      for (const [id, stream, ids] of await backfillBoth(app, 5_000, 1_200, 701, 600_000)) {
        const counts = arrivals(app, stream);
        const retries = retriesOf(app.host, id);
        const lost = retries.reduce((n, r) => n + r.failed.lost, 0);
        // Per scope for audit (one lost activity each), per stream for chat.
        const parts = stream === AUDIT_LOGS_STREAM ? ["organization", "tenant"] : [undefined];
        for (const scope of parts) {
          const extra = extraArrivals(app, stream, scope === undefined ? undefined : (row) => row.Scope === scope);
          console.log(`${id}${scope ? ` ${scope} scope` : ""}: 1 lost activity, ${extra} rows arrived twice (bound: one page, 100)`);
          assert.ok(extra <= 100, `${stream} ${scope ?? ""}: ${extra} rows arrived twice`);
        }
        assert.deepEqual([ids.filter((i) => !counts.has(i)).length, counts.size], [0, ids.length], `${stream}: every id arrives`);
        assert.equal(lost, parts.length, `${id}: one activity lost per scope`);
        for (const r of retries) assert.deepEqual(r.retry?.scheduled, r.failed.scheduled, `${id}: the retry schedules the failed generation's inputs`);
        assert.deepEqual(await collectorView(app, id), ["running", "failed", true], id);
      }
      assert.deepEqual(runtimeStatuses(app), ["collector-org:Running", "collector-chat:Running"]);
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });

  it("right after an upload was accepted, before its progress was recorded: only that page arrives twice", async () => {
    // One activity at a time per collector, so the n-th upload of a stream belongs to a known call.
    const dieAtUpload: Record<string, number> = { [AUDIT_LOGS_STREAM]: 4, [CHAT_COMPLETIONS_STREAM]: 3 };
    const uploads = new Map<string, number>();
    const inFlight = new Map<string, number>();
    const dying = new Set<string>();
    const app = await startLocalApp(NOW, {}, { ...SCENARIO_SETTINGS, parallelism: 1 }, {
      loseActivityResult: (name) => (dying.delete(STREAM_OF[name] ?? "") ? WORKER_EXIT : undefined),
    });
    app.wrapWriter((writer) => ({
      async upload(stream, rows, options) {
        await writer.upload(stream, rows, options);
        const n = (uploads.get(stream) ?? 0) + 1;
        uploads.set(stream, n);
        if (n !== dieAtUpload[stream]) return;
        // The worker dies here: the rows were accepted, the activity records nothing more and returns nothing.
        inFlight.set(stream, rows.length);
        dying.add(stream);
        throw new Error("the worker died");
      },
    }));
    try {
      for (const [id, stream, ids] of await backfillBoth(app, 3_000, 1_500, 703, 900_000)) {
        const counts = arrivals(app, stream);
        const retries = retriesOf(app.host, id);
        console.log(`${id}: ${retries.length} lost activity, page in flight ${inFlight.get(stream)} rows, ${extraArrivals(app, stream)} rows arrived twice`);
        assert.deepEqual([ids.filter((i) => !counts.has(i)).length, counts.size], [0, ids.length], `${stream}: every id arrives`);
        assert.deepEqual(retries.map((r) => r.failed.lost), [1], `${id}: one generation lost one activity`);
        assert.deepEqual(retries[0]!.retry?.scheduled, retries[0]!.failed.scheduled, `${id}: the retry schedules the failed generation's inputs`);
        assert.ok(inFlight.get(stream)! > 0 && inFlight.get(stream)! <= 100);
        assert.equal(extraArrivals(app, stream), inFlight.get(stream), `${stream}: exactly the page in flight arrives twice`);
        assert.deepEqual(await collectorView(app, id), ["running", "failed", true], id);
      }
      assert.deepEqual(runtimeStatuses(app), ["collector-org:Running", "collector-chat:Running"]);
      assert.deepEqual(await replayMismatches(app.host), []);
    } finally {
      await app.stop();
    }
  });
});
