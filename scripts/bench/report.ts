/** Renders benchmark results as BENCHMARKS.md and SVG charts (audit throughput against fan-out width; stored completions against segments). */
import { chatChart, chatSection, chatTargets } from "./chatReport";
import { pct, progressCostSection, worstLoss, type ProgressCost } from "./progressCost";
import { CHART, chartFrame } from "./svg";
import type { SoakResults } from "./soak";
import { renderSoak } from "./soakReport";
import { renderBusy, type BusyResults } from "./busySteady";

/** One backfill's figures. */
export interface BackfillResult {
  name: string; audit: number; completions: number; parallelism: number; rateCap: number | null; latencyMs: number;
  seconds: number; auditSeconds: number; chatSeconds: number; eventsPerSecond: number; auditPerSecond: number; chatPerSecond: number;
  pages: number; pagesPerSecond: number; throttled: number; duplicates: number; peakRssMb: number; cpuSecondsPer100k: number;
  fakesCpuSeconds: number; fakesRssMb: number; generations: number; historyBytesPerGeneration: number; maxGenerationBytes: number;
  maxGenerationEvents: number; historyBytesPerPage: number; ingestionRequests: number; ingestionBytesCompressed: number; ingestionBytesUncompressed: number;
  /** Durable entity operations the host ran (collector entity, index, page-progress records); absent in older results. */
  entityOperations?: number;
}

/** Everything one `npm run bench` measured. */
export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  latencyMs: number; rateCap: number; quick: boolean;
  uncapped: BackfillResult; small: BackfillResult; capped: BackfillResult; cappedNoClientLimit?: BackfillResult;
  baseline: { audit: { rows: number; seconds: number; eventsPerSecond: number }; chat: { rows: number; seconds: number; eventsPerSecond: number } };
  fanOut: BackfillResult[];
  steady: Array<{ pollIntervalSeconds: number; audit: { rows: number; medianLagSeconds: number; p99LagSeconds: number }; chat: { rows: number; medianLagSeconds: number; p99LagSeconds: number } }>;
  /** Stored completions alone, and against the number of segments read at once. */
  chat?: BackfillResult;
  chatSweeps?: BackfillResult[];
  /** The embedded host over long runs (scripts/bench/soak.ts). */
  soak?: SoakResults;
  /** Busy steady state (scripts/bench/busySteady.ts). */
  busy?: BusyResults;
  /** The uncapped backfill with page-progress records on and off, interleaved (scripts/bench/progressCost.ts). */
  pageProgress?: ProgressCost;
}

const n = (x: number, digits = 0) => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number) => `${n(bytes / 2 ** 20, 1)} MB`;

function chart(results: BenchResults): string {
  const points = results.fanOut.map((r) => ({ w: r.parallelism, rate: r.auditPerSecond, bound: (r.parallelism * 100 * 1000) / results.latencyMs }));
  const { W, H, L, B, T } = CHART;
  const { x, y, bar, head } = chartFrame(points.length, Math.max(...points.map((p) => Math.max(p.rate, p.bound))) * 1.1, `Audit-log backfill throughput vs fan-out width (${results.latencyMs} ms per page, uncapped)`);
  return [
    ...head,
    ...points.map((p, i) => `<rect x="${x(i) - bar / 2}" y="${y(p.rate)}" width="${bar}" height="${H - B - y(p.rate)}" fill="#2b6cb0"/><text x="${x(i)}" y="${y(p.rate) - 6}" text-anchor="middle">${n(p.rate)}</text><text x="${x(i)}" y="${H - B + 18}" text-anchor="middle">${p.w}</text>`),
    `<polyline fill="none" stroke="#c53030" stroke-dasharray="6 4" stroke-width="2" points="${points.map((p, i) => `${x(i)},${y(p.bound)}`).join(" ")}"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">fan-out width (parallel page activities)</text>`,
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">events per second</text>`,
    `<rect x="${L + 10}" y="${T}" width="12" height="12" fill="#2b6cb0"/><text x="${L + 28}" y="${T + 10}">measured</text>`,
    `<line x1="${L + 100}" x2="${L + 124}" y1="${T + 6}" y2="${T + 6}" stroke="#c53030" stroke-dasharray="6 4" stroke-width="2"/><text x="${L + 130}" y="${T + 10}">bound: width × 100 / latency</text>`,
    `</svg>`,
  ].join("\n");
}

/** The target row for the page-progress records: the worst of rows/s, audit/s and chat/s, pooled. */
function progressTarget(cost: ProgressCost): [string, string, boolean, string] {
  const loss = worstLoss(cost);
  return [`page-progress records cost ≤ ${n(100 * cost.allowedLoss)} % of the uncapped backfill's throughput (rows/s, audit/s and chat/s, records on against off)`,
    `${n(100 * loss, 1)} % (rows/s ${pct(cost.change.rowsPerSecond)}, audit/s ${pct(cost.change.auditPerSecond)}, chat/s ${pct(cost.change.chatPerSecond)})`, loss <= cost.allowedLoss,
    `The records-on runs were slower than the records-off runs by more than the allowed share; the per-pair figures under "Page-progress records" show whether the machine drifted.`];
}

/** BENCHMARKS.md and the chart. */
export function renderReport(r: BenchResults, command: string): { markdown: string; svg: string; chatSvg: string | null } {
  const u = r.uncapped, c = r.capped, s = r.small;
  const auditBound = (u.parallelism * 100 * 1000) / r.latencyMs;
  const chatBound = (100 * 1000) / r.latencyMs;
  const cappedBound = r.rateCap * 100;
  const baselineOverall = (u.audit + u.completions) / (u.audit / r.baseline.audit.eventsPerSecond + u.completions / r.baseline.chat.eventsPerSecond);
  const chatShare = u.completions > 0 ? u.chatSeconds / u.seconds : 0;
  const why: Record<string, string> = {
    capped: `Under a request cap every request that returns fewer than 100 rows (the last page of each time slice, empty slices, late sweeps) and every 429 retry costs a slot of the cap; ${n(c.throttled)} requests were answered 429 in this run.`,
    audit: `The fan-out waits for all page activities of a generation before the next one (a Task.any refill would re-emit running tasks' actions in durable-functions v3, see the closing note of issue 6), so slots idle while the longest slice finishes.`,
    combined: `The run lasts as long as its slower collector: audit logs took ${n(u.auditSeconds)} s, stored completions ${n(u.chatSeconds)} s (${n(u.chatPerSecond / chatBound, 1)}× their one-page-at-a-time bound of ${n(chatBound)} rows/s; the run's length is ${n(100 * chatShare)} % the completions'), both sharing the machine's ${r.machine.cpus} cores with the fakes.`,
    rss: "", history: "", growth: "",
  };
  const targets: Array<[string, string, boolean, string]> = [
    [`capped backfill ≥ 90 % of the rate-cap bound (${n(cappedBound)} rows/s), with the client limit set to the cap`, `${n((100 * c.eventsPerSecond) / cappedBound, 1)} %`, c.eventsPerSecond >= 0.9 * cappedBound, why.capped!],
    [`uncapped audit backfill ≥ 6× the sequential baseline (8-way fan-out, ${r.latencyMs} ms)`, `${n(u.auditPerSecond / r.baseline.audit.eventsPerSecond, 1)}×`, u.auditPerSecond >= 6 * r.baseline.audit.eventsPerSecond, why.audit!],
    [`uncapped backfill of both data types ≥ 8× the sequential baseline`, `${n(u.eventsPerSecond / baselineOverall, 1)}×`, u.eventsPerSecond >= 8 * baselineOverall, why.combined!],
    ...chatTargets(r),
    ...(r.pageProgress ? [progressTarget(r.pageProgress)] : []),
    ["peak RSS of the connector < 300 MB", `${n(Math.max(u.peakRssMb, c.peakRssMb, s.peakRssMb))} MB`, Math.max(u.peakRssMb, c.peakRssMb, s.peakRssMb) < 300, why.rss!],
    ["history < 1 KB per page", `${n(u.historyBytesPerPage)} B`, u.historyBytesPerPage < 1024, why.history!],
    [`generation size does not grow with the backlog (${n(s.audit)} vs ${n(u.audit)} audit events)`, `${n(s.historyBytesPerGeneration)} B vs ${n(u.historyBytesPerGeneration)} B mean; ${n(s.maxGenerationBytes)} B vs ${n(u.maxGenerationBytes)} B max`, u.maxGenerationBytes <= s.maxGenerationBytes * 1.5 + 2048, why.growth!],
  ];
  const missed = targets.filter(([, , ok]) => !ok);
  const row = (x: BackfillResult) => `| ${x.name} | ${n(x.audit)} + ${n(x.completions)} | ${n(x.seconds, 1)} s | ${n(x.eventsPerSecond)} | ${n(x.auditPerSecond)} / ${n(x.chatPerSecond)} | ${n(x.pagesPerSecond, 1)} | ${n(x.throttled)} | ${n(x.peakRssMb)} MB | ${n(x.cpuSecondsPer100k, 1)} s | ${n(x.generations)} | ${n(x.historyBytesPerGeneration)} B / ${n(x.maxGenerationBytes)} B (≤ ${n(x.maxGenerationEvents)} events) | ${n(x.historyBytesPerPage)} B | ${n(x.ingestionRequests)}, ${mb(x.ingestionBytesCompressed)} gz (${mb(x.ingestionBytesUncompressed)}) | ${n(x.duplicates)} |`;
  const markdown = `# Benchmarks

Produced by \`${command}\` on ${r.date.slice(0, 10)}. Every figure below comes from that run
(\`.bench/results.json\`); nothing here is typed in by hand.

- Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GiB, Node ${r.machine.node}, ${r.machine.platform}.
- One process tree: the connector (embedded durable host, real SDK clients) in one process; the
  OpenAI mock (${r.latencyMs} ms per page, 100 rows per page) and the Logs Ingestion fake (HTTPS,
  gzip, schema checks, keeping ids) in a child process, so RSS and CPU below are the connector's own.
- Data: audit events spread over 30 days, stored completions over 30 days, collected from a
  start time 31 days back. Completion is measured by the fake: every id accepted.${r.quick ? "\n- **Quick run: one tenth of the data.**" : ""}

## Targets

| target | measured | met |
|---|---|---|
${targets.map(([t, m, ok]) => `| ${t} | ${m} | ${ok ? "yes" : "**no**"} |`).join("\n")}
${missed.length > 0 ? `\nWhy the missed target${missed.length > 1 ? "s were" : " was"} missed:\n\n${missed.map(([t, , , reason]) => `- *${t}*: ${reason}`).join("\n")}\n` : ""}
## Backfill

| run | audit + completions | time | rows/s | audit/s / chat/s | pages/s | 429s | peak RSS | CPU per 100k rows | generations | history per generation (mean / max) | history per page | Logs Ingestion requests, bytes | duplicates |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${[u, s, c, ...(r.cappedNoClientLimit ? [r.cappedNoClientLimit] : [])].map(row).join("\n")}

Bounds: audit with fan-out ${u.parallelism} at ${r.latencyMs} ms is ${n(auditBound)} rows/s (measured ${n((100 * u.auditPerSecond) / auditBound, 1)} %);
one sweep of stored completions moves one page per round trip, ${n(chatBound)} rows/s (the API offers an \`after\` cursor and
no time filter); split into segments they reached ${n(u.chatPerSecond / chatBound, 1)}× that. Capped at
${r.rateCap} requests/s the bound is ${n(cappedBound)} rows/s for both collectors together; with \`OPENAI_MAX_REQUESTS_PER_SECOND\` set to the cap
${n(c.throttled)} request${c.throttled === 1 ? " was" : "s were"} answered 429${r.cappedNoClientLimit ? `, without it ${n(r.cappedNoClientLimit.throttled)} requests were answered 429 and the run reached ${n((100 * r.cappedNoClientLimit.eventsPerSecond) / cappedBound, 1)} % of the bound` : ""}.
The OpenAI mock and Logs Ingestion fake used ${n(u.fakesCpuSeconds, 1)} s of CPU and ${n(u.fakesRssMb)} MB in the uncapped run.

## Baseline: the official \`openai\` SDK's auto-pagination + \`LogsIngestionClient.upload\`, sequential

| data | rows | time | rows/s |
|---|---|---|---|
| audit logs | ${n(r.baseline.audit.rows)} | ${n(r.baseline.audit.seconds, 1)} s | ${n(r.baseline.audit.eventsPerSecond)} |
| stored completions | ${n(r.baseline.chat.rows)} | ${n(r.baseline.chat.seconds, 1)} s | ${n(r.baseline.chat.eventsPerSecond)} |

The baseline's rate is steady page after page, so it runs for a bounded time on the same dataset
and mock; at that rate the full backfill would take ${n((u.audit / r.baseline.audit.eventsPerSecond + u.completions / r.baseline.chat.eventsPerSecond) / 60, 1)} minutes against the connector's ${n(u.seconds / 60, 1)}.

## Throughput against fan-out width

![throughput vs fan-out](docs/throughput-vs-fanout.svg)

| fan-out | audit events | time | events/s | bound | % of bound | peak RSS |
|---|---|---|---|---|---|---|
${r.fanOut.map((f) => `| ${f.parallelism} | ${n(f.audit)} | ${n(f.seconds, 1)} s | ${n(f.auditPerSecond)} | ${n((f.parallelism * 100000) / r.latencyMs)} | ${n((100 * f.auditPerSecond * r.latencyMs) / (f.parallelism * 100000), 1)} % | ${n(f.peakRssMb)} MB |`).join("\n")}

${r.pageProgress ? progressCostSection(r.pageProgress, u) : ""}${chatSection(r)}
## Steady state

Events arrive at a fixed rate for one simulated hour (4 audit events and 2 stored completions per
second, each visible 0–5 s after its time) on a virtual clock; lag is the time from an event
becoming visible in the API to its row being accepted by Logs Ingestion. Audit logs wait
\`AUDIT_LAG_SECONDS\` (60 s) before the first read, so a late event is still read in order.

| poll interval | audit median | audit p99 | completions median | completions p99 | rows |
|---|---|---|---|---|---|
${r.steady.map((x) => `| ${x.pollIntervalSeconds} s | ${n(x.audit.medianLagSeconds)} s | ${n(x.audit.p99LagSeconds)} s | ${n(x.chat.medianLagSeconds)} s | ${n(x.chat.p99LagSeconds)} s | ${n(x.audit.rows)} + ${n(x.chat.rows)} |`).join("\n")}
${r.soak ? `\n${renderSoak(r.soak).markdown}` : ""}${r.busy ? renderBusy(r.busy) : ""}`;
  return { markdown, svg: chart(r), chatSvg: chatChart(r) };
}
