/** Renders the soak scenarios' figures (scripts/bench/soak.ts) as a BENCHMARKS.md section with its targets. */
import type { IdleCost, IdleFloorResult, SoakResults } from "./soak";

const n = (x: number, digits = 0) => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kb = (bytes: number | null) => (bytes === null ? "–" : `${n(bytes / 1024, 1)} KB`);

/** RSS counts as flat when the end of the day is within this factor of the first hour. */
export const FLAT_RSS_FACTOR = 1.15;

/** The section and whether each target was met. */
export function renderSoak(s: SoakResults): { markdown: string; targets: Array<{ target: string; measured: string; met: boolean }> } {
  const d = s.day;
  const sqlite = s.idle.filter((x) => x.store === "sqlite");
  const largest = sqlite.reduce((a, b) => (b.collectors > a.collectors ? b : a), sqlite[0] ?? d.quietHour);
  const types = [...new Set(sqlite.map((x) => x.dataType))];
  // Flat: for each data type, the largest figure within 10 % of the smallest, across collector counts.
  const spread = (pick: (x: IdleCost) => number) => Math.max(...types.map((t) => {
    const values = sqlite.filter((x) => x.dataType === t).map(pick);
    return Math.max(...values) / Math.max(1e-9, Math.min(...values));
  }));
  const per = (pick: (x: IdleCost) => number) => types.map((t) => `${t}: ${sqlite.filter((x) => x.dataType === t).map((x) => n(pick(x), 2)).join(" / ")}`).join("; ");
  const targets = [
    { target: `peak RSS at ${n(d.collectors)} collectors over ${d.hours} simulated hours < 300 MB`, measured: `${n(d.peakRssMb)} MB`, met: d.peakRssMb < 300 },
    { target: `RSS flat over the day (at the end ≤ ${FLAT_RSS_FACTOR}× after the first hour)`, measured: `${n(d.rssAfterFirstHourMb)} MB → ${n(d.rssEndMb)} MB`, met: d.rssEndMb <= FLAT_RSS_FACTOR * d.rssAfterFirstHourMb },
    { target: `idle cost < 2 ms of CPU per collector per poll (${n(d.collectors)} collectors, quiet hour)`, measured: `${n(d.quietHour.cpuMsPerPoll, 2)} ms`, met: d.quietHour.cpuMsPerPoll < 2 },
    { target: `OpenAI requests and function executions per idle poll flat from ${[...new Set(sqlite.map((x) => x.collectors))].join(" to ")} collectors (within 10 %)`, measured: `requests ${per((x) => x.requestsPerPoll)}; executions ${per((x) => x.executionsPerPoll)}`, met: spread((x) => x.requestsPerPoll) <= 1.1 && spread((x) => x.executionsPerPoll) <= 1.1 },
    { target: `every row delivered over the day`, measured: `${n(d.rowsDelivered)} of ${n(d.rowsExpected)}`, met: d.rowsDelivered === d.rowsExpected },
  ];
  const floorRow = (f: IdleFloorResult) => {
    const measured = sqlite.filter((x) => x.dataType === f.dataType).reduce<IdleCost | undefined>((a, b) => (a && a.collectors >= b.collectors ? a : b), undefined);
    return `| ${f.dataType} | ${measured ? `${n(measured.cpuMsPerPoll, 2)} ms (${n(measured.collectors)} collectors)` : "–"} | ${n(f.replayMsPerPoll, 2)} ms (${n(f.episodesPerPoll)} episodes) | ${n(f.requestsPerPoll)} × ${n(f.clientMsPerRequest, 2)} ms | ${n(f.requestsPerPoll)} × ${n(f.nodeHttpMsPerRequest, 2)} ms | ${n(f.floorMsPerPoll, 2)} ms |`;
  };
  const floor = (s.floor ?? []).length === 0 ? "" : `
### The floor of an idle poll on this stack

Parts of the idle path measured alone in this process (scripts/bench/idleFloor.ts): the
durable-functions SDK and the collector orchestrator replaying one idle poll's episodes (recorded
on the embedded host, no host, store or I/O around them), and one empty-page OpenAI request
through the connector's client (axios) beside node:http with \`JSON.parse\`. The floor is replay plus
the client's requests: what a poll costs before the host, the state store, the entity operation
and the activity plumbing add anything.

| data type | idle cost measured | replay (SDK + orchestrator) | requests, connector's client | requests, node:http | floor |
|---|---|---|---|---|---|
${s.floor.map(floorRow).join("\n")}
`;
  const row = (x: IdleCost) => `| ${x.dataType} | ${n(x.collectors)} | ${x.store === "sqlite" ? "SQLite (rows per change)" : "JSON file (whole state, before)"} | ${n(x.polls)} | ${n(x.requestsPerPoll, 2)} | ${n(x.executionsPerPoll, 2)} = ${n(x.episodesPerPoll, 2)} + ${n(x.entityOperationsPerPoll, 2)} + ${n(x.activitiesPerPoll, 2)} | ${n(x.cpuMsPerPoll, 2)} ms (${n(x.cpuSystemMsPerPoll, 2)}) | ${kb(x.storeBytesPerPoll)} | ${kb(x.diskWriteBytesPerPoll)} | ${n(x.stateBytes / 1024)} KB | ${n(x.peakRssMb)} MB |`;
  const markdown = `## Embedded host: idle cost and a simulated day

\`npm start\`'s host as it runs for weeks (activity concurrency 8, no episode recording, state in
SQLite), on a virtual clock, against the OpenAI mock and Logs Ingestion fake in the child process;
polls every ${d.pollIntervalSeconds} s, collectors created over one poll interval; all audit
collectors read one organization and all chat collectors one project.${s.quick ? "\n**Quick run: 50 collectors, 8 hours.**" : ""}

| target | measured | met |
|---|---|---|
${targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`).join("\n")}

### Per idle poll and collector

Nothing to collect; function executions are orchestrator episodes + entity operations + activities.
CPU is the connector process's own (user + system); "to the store" is record text handed to the
state store, "to disk" the bytes the process caused to be written (\`write_bytes\` of /proc/self/io).

| data type | collectors | state store | polls measured | OpenAI requests | executions | CPU (system) | to the store | to disk | state | peak RSS |
|---|---|---|---|---|---|---|---|---|---|---|
${s.idle.map(row).join("\n")}
${floor}
### ${d.hours} simulated hours, ${n(d.collectors)} collectors (half audit logs, half stored completions)

Arrivals in the middle half of the run (${n(d.arrivals.audit)} audit events and ${n(d.arrivals.completions)} stored
completions in all, one hour of them before the start), quiet quarters before and after.

| rows delivered | peak RSS | RSS after 1 h → end | heap after 1 h → end | quiet hour: CPU, requests, executions per poll | state file (+ WAL) | wall time |
|---|---|---|---|---|---|---|
| ${n(d.rowsDelivered)} of ${n(d.rowsExpected)} | ${n(d.peakRssMb)} MB | ${n(d.rssAfterFirstHourMb)} → ${n(d.rssEndMb)} MB | ${n(d.heapAfterFirstHourMb)} → ${n(d.heapEndMb)} MB | ${n(d.quietHour.cpuMsPerPoll, 2)} ms, ${n(d.quietHour.requestsPerPoll, 2)}, ${n(d.quietHour.executionsPerPoll, 2)} | ${n(d.storeFileBytes / 2 ** 20, 1)} MB (+ ${n(d.storeWalBytes / 2 ** 20, 1)} MB) | ${n(d.realSeconds)} s |

RSS at the end of each hour: ${d.rssByHour.map((x) => n(x)).join(", ")} MB. At ${n(largest.collectors)} idle collectors the
SQLite store takes ${kb(largest.storeBytesPerPoll)} per poll (${largest.dataType}) against ${kb(s.idle.find((x) => x.store === "json" && x.collectors === largest.collectors && x.dataType === largest.dataType)?.storeBytesPerPoll ?? null)} for the whole-file JSON store it replaced.
Bytes to disk are counted per 4 KB page the kernel marks dirty, so a small commit counts as at least one page.
`;
  return { markdown, targets };
}
