/**
 * `node dist/scripts/bench/fanoutModel.js [--events N]`: the audit planner's fan-out share, modelled
 * without sockets or clocks, so the figures do not depend on the load of a shared machine.
 *
 * The real planner and fold (orchestrators/auditGeneration.ts) drive a modelled upstream: the
 * organization scope's events spread evenly over 30 days (default 30,000, as the fan-out group of
 * run.ts), the tenant scope empty, 100 events per page, at most `maxPagesPerActivity` pages per
 * activity; a generation lasts as long as its longest activity at 150 ms per page. It prints, per
 * fan-out width, the organization's modelled rate and generations with the organization scope
 * alone (the shape before the tenant scope existed: the baseline) beside both scopes.
 * A model, not a measurement: it counts what the plan asks for; run.ts `--only fanout` measures.
 */
import { AUDIT_SCOPES, type AuditScope } from "../../src/audit/eventTypes";
import type { AuditSliceResult } from "../../activities/collectAuditSlice";
import { auditCaughtUp, auditStateOf, foldAuditGeneration, planAuditGeneration } from "../../orchestrators/auditGeneration";
import type { AuditState } from "../../orchestrators/auditState";
import { initialState, type RuntimeSettings } from "../../orchestrators/state";

const PAGE_SECONDS = 0.15;
const PAGE_SIZE = 100;

/** The organization's modelled backfill: seconds and generations until its last event is read, and requests per scope. */
export function modelBackfill(events: number, parallelism: number, organizationOnly: boolean): { seconds: number; generations: number; requests: Record<AuditScope, number> } {
  const settings: RuntimeSettings = { parallelism, maxPagesPerActivity: 10, chatPagesPerActivity: 20, lagSeconds: 60, overlapSeconds: 1_800 };
  const now = 1_800_000_000;
  const start = now - 31 * 86_400, from = now - 30 * 86_400, to = now - 600;
  // Events before second x, so that adjacent slices add up to every event exactly.
  const before = (x: number) => Math.floor((events * (Math.min(to, Math.max(from, x)) - from)) / (to - from));
  const inRange = (gte: number, lt: number) => before(lt) - before(gte);
  // A new collector's audit state, as the orchestrator makes it; organization only: the tenant scope refused for good plans nothing.
  const created = auditStateOf(initialState("model", new Date(start * 1000).toISOString()), now, settings);
  let audit: AuditState = organizationOnly
    ? { ...created, scopes: { ...created.scopes, tenant: { ...created.scopes.tenant, refused: { status: 404, reason: "modelled: organization only", since: now, retryAt: Number.MAX_SAFE_INTEGER } } } }
    : created;
  const read = new Map<string, number>();
  const requests: Record<AuditScope, number> = { organization: 0, tenant: 0 };
  let seconds = 0, generations = 0, organizationRead = 0;
  while (organizationRead < events) {
    const plan = planAuditGeneration(audit, now, settings, 300);
    if (plan.tasks.length === 0 || generations > 10_000) throw new Error(`model stalled after ${generations} generations`);
    generations++;
    let longest = 0;
    const results = plan.tasks.map((task): AuditSliceResult => {
      const key = `${task.scope}:${task.slice.gte}:${task.slice.lt}`;
      const total = task.scope === "tenant" ? 0 : inRange(task.slice.gte, task.slice.lt);
      const earlier = read.get(key) ?? 0;
      const pages = Math.min(settings.maxPagesPerActivity, Math.max(1, Math.ceil((total - earlier) / PAGE_SIZE)));
      const rows = Math.min(total - earlier, pages * PAGE_SIZE);
      read.set(key, earlier + rows);
      if (task.scope === "organization") organizationRead += rows;
      requests[task.scope] += pages;
      longest = Math.max(longest, pages);
      const done = earlier + rows >= total;
      return { outcome: { kind: "ok" }, done, after: done ? null : `p${earlier + rows}`, pages, rowsWritten: rows, duplicates: 0, newestEventAt: null, unknownTypes: {}, refused: null };
    });
    seconds += longest * PAGE_SECONDS;
    audit = foldAuditGeneration(audit, plan, results, now, new Date(now * 1000).toISOString(), settings);
    if (auditCaughtUp(audit, now, settings) && organizationRead < events) throw new Error("model caught up before reading every event");
  }
  return { seconds, generations, requests };
}

function main(): void {
  const argv = process.argv.slice(2);
  const events = argv.includes("--events") ? Number(argv[argv.indexOf("--events") + 1]) : 30_000;
  console.log(`audit fan-out share, modelled: ${events.toLocaleString("en-US")} organization events over 30 days, tenant scope empty, ${PAGE_SIZE} per page, ${PAGE_SECONDS * 1000} ms per page (scopes: ${AUDIT_SCOPES.join(", ")})`);
  console.log("| fan-out | organization only: events/s, generations | both scopes: events/s, generations | share of organization only | tenant requests |");
  console.log("|---|---|---|---|---|");
  for (const width of [1, 2, 4, 8, 16]) {
    const alone = modelBackfill(events, width, true);
    const both = modelBackfill(events, width, false);
    const rate = (s: number) => Math.round(events / s).toLocaleString("en-US");
    console.log(`| ${width} | ${rate(alone.seconds)}, ${alone.generations} | ${rate(both.seconds)}, ${both.generations} | ${((100 * alone.seconds) / both.seconds).toFixed(1)} % | ${both.requests.tenant} |`);
  }
}

if (require.main === module) main();
