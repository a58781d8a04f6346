/** The stored-completions part of the benchmark report: targets, the segments table and its chart. */
import type { BackfillResult } from "./report";
import { CHART, chartFrame } from "./svg";

/** What the chat part reads from the results. */
export interface ChatBenchResults {
  latencyMs: number;
  chat?: BackfillResult;
  chatSweeps?: BackfillResult[];
}

const n = (x: number, digits = 0) => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One page of 100 completions per round trip: the most a single sweep can move, rows/s. */
export function sequentialChatBound(latencyMs: number): number {
  return (100 * 1000) / latencyMs;
}

/** Target rows `[target, measured, met, why missed]` for the stored-completions backfill. */
export function chatTargets(r: ChatBenchResults): Array<[string, string, boolean, string]> {
  if (!r.chat) return [];
  const bound = sequentialChatBound(r.latencyMs);
  const ratio = r.chat.chatPerSecond / bound;
  return [[
    `stored-completions backfill (${n(r.chat.completions)} over 30 days, 4 models) ≥ 2× the sequential bound (${n(bound)} rows/s)`,
    `${n(ratio, 1)}×`, ratio >= 2,
    `The segments are fed by the anchor search, which lists one model at a time: with four models of equal share a page of it spans about 4 unfiltered pages, so the backlog is split at about 4 × the sequential rate at most, less the first generation that reads alone.`,
  ]];
}

/** The segments table and the chart reference, as markdown. */
export function chatSection(r: ChatBenchResults): string {
  if (!r.chatSweeps || r.chatSweeps.length === 0) return "";
  const bound = sequentialChatBound(r.latencyMs);
  return `
## Stored completions against the number of segments read at once

![chat throughput vs segments](docs/chat-throughput-vs-sweeps.svg)

One pass starts as a single newest-first segment; a model-filtered listing finds anchors deep in the
backlog and each splits it into disjoint whole-second segments, \`FETCH_PARALLELISM\` of which are
read at once. Requests include the anchor search's.

| segments at once | completions | time | completions/s | × sequential bound (${n(bound)}/s) | OpenAI requests | generations | peak RSS | duplicates |
|---|---|---|---|---|---|---|---|---|
${r.chatSweeps.map((x) => `| ${x.parallelism} | ${n(x.completions)} | ${n(x.chatSeconds, 1)} s | ${n(x.chatPerSecond)} | ${n(x.chatPerSecond / bound, 2)}× | ${n(x.pages)} | ${n(x.generations)} | ${n(x.peakRssMb)} MB | ${n(x.duplicates)} |`).join("\n")}
`;
}

/** SVG bar chart of the chat rate against segments at once, with the sequential and width × sequential bounds. */
export function chatChart(r: ChatBenchResults): string | null {
  if (!r.chatSweeps || r.chatSweeps.length === 0) return null;
  const bound = sequentialChatBound(r.latencyMs);
  const points = r.chatSweeps.map((x) => ({ w: x.parallelism, rate: x.chatPerSecond }));
  const { W, H, L, B, T, R } = CHART;
  const { x, y, bar, head } = chartFrame(points.length, Math.max(...points.map((p) => p.rate), 4 * bound) * 1.15, `Stored-completions backfill vs segments read at once (${r.latencyMs} ms per page)`);
  return [
    ...head,
    ...points.map((p, i) => `<rect x="${x(i) - bar / 2}" y="${y(p.rate)}" width="${bar}" height="${H - B - y(p.rate)}" fill="#2f855a"/><text x="${x(i)}" y="${y(p.rate) - 6}" text-anchor="middle">${n(p.rate)}</text><text x="${x(i)}" y="${H - B + 18}" text-anchor="middle">${p.w}</text>`),
    `<line x1="${L}" x2="${W - R}" y1="${y(bound)}" y2="${y(bound)}" stroke="#c53030" stroke-dasharray="6 4" stroke-width="2"/>`,
    `<line x1="${L}" x2="${W - R}" y1="${y(2 * bound)}" y2="${y(2 * bound)}" stroke="#dd6b20" stroke-dasharray="2 3" stroke-width="2"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">segments read at once (FETCH_PARALLELISM)</text>`,
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">completions per second</text>`,
    `<rect x="${L + 10}" y="${T}" width="12" height="12" fill="#2f855a"/><text x="${L + 28}" y="${T + 10}">measured</text>`,
    `<line x1="${L + 100}" x2="${L + 124}" y1="${T + 6}" y2="${T + 6}" stroke="#c53030" stroke-dasharray="6 4" stroke-width="2"/><text x="${L + 130}" y="${T + 10}">sequential bound (100 / latency)</text>`,
    `<line x1="${L + 330}" x2="${L + 354}" y1="${T + 6}" y2="${T + 6}" stroke="#dd6b20" stroke-dasharray="2 3" stroke-width="2"/><text x="${L + 360}" y="${T + 10}">2 × that (target)</text>`,
    `</svg>`,
  ].join("\n");
}
