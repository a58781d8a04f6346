/**
 * What page-progress records cost (issue 10, part 3: at most 5 % of backfill throughput). The
 * benchmark runs the same uncapped backfill with records on and off, interleaved in one process
 * (on, off, on, off …) so that drift on a shared machine shows in the per-pair figures; this module
 * pools the pairs and renders the comparison. Pure.
 */

/** The figures of one backfill run that the comparison reads (a subset of report.ts `BackfillResult`). */
export interface BackfillRates {
  /** Audit events and stored completions collected. */
  audit: number; completions: number;
  /** Wall-clock seconds until every id was accepted; `auditSeconds` / `chatSeconds` per data type. */
  seconds: number; auditSeconds: number; chatSeconds: number;
  /** The connector process's CPU time (user + system) per 100,000 rows, seconds. */
  cpuSecondsPer100k: number;
}

/** Throughput of one run, or of several pooled (total rows over total seconds). */
export interface Throughput {
  rows: number;
  /** Seconds, summed over the pooled runs. */
  seconds: number;
  /** Rows per second of wall-clock time: both data types over the run's length. */
  rowsPerSecond: number;
  /** Audit events per second until the last audit event was accepted (0 without audit events). */
  auditPerSecond: number;
  /** Stored completions per second until the last one was accepted (0 without completions). */
  chatPerSecond: number;
  /** The connector's CPU seconds per 100,000 rows (pooled: total CPU over total rows). */
  cpuSecondsPer100k: number;
}

/** One interleaved pair: records on, then records off. */
export interface ProgressPair {
  on: Throughput;
  off: Throughput;
  /** `on.rowsPerSecond / off.rowsPerSecond − 1` (−0.05 is a 5 % loss). */
  change: number;
}

/** The comparison the report shows. */
export interface ProgressCost {
  pairs: ProgressPair[];
  /** Every records-on run pooled, and every records-off run pooled. */
  on: Throughput;
  off: Throughput;
  /** Pooled changes, on against off, per figure (−0.05 is a 5 % loss of a rate; +0.05 is 5 % more CPU). */
  change: { rowsPerSecond: number; auditPerSecond: number; chatPerSecond: number; cpuSecondsPer100k: number };
  /** The largest loss allowed, as a fraction (issue 10: 0.05). */
  allowedLoss: number;
}

/** Issue 10, part 3: "the benchmark must not regress by more than 5 %". */
export const ALLOWED_PROGRESS_LOSS = 0.05;

/** Total rows over total seconds of `runs` (one run gives its own rates). */
export function pooled(runs: readonly BackfillRates[]): Throughput {
  const sum = (f: (r: BackfillRates) => number) => runs.reduce((a, r) => a + f(r), 0);
  const rate = (rows: number, seconds: number) => (rows > 0 && seconds > 0 ? rows / seconds : 0);
  const rows = sum((r) => r.audit + r.completions), seconds = sum((r) => r.seconds);
  return { rows, seconds, rowsPerSecond: rate(rows, seconds), auditPerSecond: rate(sum((r) => r.audit), sum((r) => r.auditSeconds)), chatPerSecond: rate(sum((r) => r.completions), sum((r) => r.chatSeconds)),
    cpuSecondsPer100k: rate(sum((r) => r.cpuSecondsPer100k * (r.audit + r.completions)), rows) };
}

const changeOf = (on: number, off: number) => (off > 0 ? on / off - 1 : 0);

/**
 * The comparison of interleaved runs. Throws when there is no pair, or when the runs of a pair
 * collected different amounts of data (they would not be the same benchmark).
 */
export function compareProgress(pairs: ReadonlyArray<{ on: BackfillRates; off: BackfillRates }>): ProgressCost {
  if (pairs.length === 0) throw new Error("compareProgress needs at least one pair of runs");
  for (const [i, { on, off }] of pairs.entries()) {
    if (on.audit !== off.audit || on.completions !== off.completions) throw new Error(`pair ${i + 1}: records on collected ${on.audit} + ${on.completions} rows, off ${off.audit} + ${off.completions}`);
  }
  const on = pooled(pairs.map((p) => p.on)), off = pooled(pairs.map((p) => p.off));
  return {
    pairs: pairs.map((p) => { const a = pooled([p.on]), b = pooled([p.off]); return { on: a, off: b, change: changeOf(a.rowsPerSecond, b.rowsPerSecond) }; }),
    on, off,
    change: { rowsPerSecond: changeOf(on.rowsPerSecond, off.rowsPerSecond), auditPerSecond: changeOf(on.auditPerSecond, off.auditPerSecond), chatPerSecond: changeOf(on.chatPerSecond, off.chatPerSecond),
      cpuSecondsPer100k: changeOf(on.cpuSecondsPer100k, off.cpuSecondsPer100k) },
    allowedLoss: ALLOWED_PROGRESS_LOSS,
  };
}

/** The largest loss of the three pooled rates (0 when records cost nothing measurable), as a fraction. CPU is shown, not judged: the target is throughput. */
export function worstLoss(cost: ProgressCost): number {
  return Math.max(0, -cost.change.rowsPerSecond, -cost.change.auditPerSecond, -cost.change.chatPerSecond);
}

const n = (x: number, digits = 0) => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** A change as a signed percentage with one decimal ("−2.8 %", "+1.3 %"). */
export const pct = (x: number) => `${x > 0 ? "+" : x < 0 ? "−" : "±"}${n(Math.abs(100 * x), 1)} %`;

/** One line per pair and the pooled figures, for the console. */
export function progressCostLines(cost: ProgressCost): string[] {
  return [
    ...cost.pairs.map((p, i) => `page-progress records, pair ${i + 1}: on ${n(p.on.rowsPerSecond)} rows/s (${n(p.on.seconds, 1)} s), off ${n(p.off.rowsPerSecond)} rows/s (${n(p.off.seconds, 1)} s), change ${pct(p.change)}`),
    `page-progress records, ${cost.pairs.length} pairs pooled: on ${n(cost.on.rowsPerSecond)} rows/s, off ${n(cost.off.rowsPerSecond)} rows/s, on/off ${n(cost.on.rowsPerSecond / cost.off.rowsPerSecond, 3)} (${pct(cost.change.rowsPerSecond)}); audit ${pct(cost.change.auditPerSecond)}, chat ${pct(cost.change.chatPerSecond)}; connector CPU per 100k rows ${n(cost.on.cpuSecondsPer100k, 1)} s against ${n(cost.off.cpuSecondsPer100k, 1)} s (${pct(cost.change.cpuSecondsPer100k)})`,
  ];
}

/** The report's section: the pooled table "on / off / change" and the per-pair figures, as markdown. */
export function progressCostSection(cost: ProgressCost, run: { audit: number; completions: number; parallelism: number }): string {
  const row = (label: string, t: Throughput) => `| ${label} | ${n(t.rowsPerSecond)} | ${n(t.auditPerSecond)} | ${n(t.chatPerSecond)} | ${n(t.cpuSecondsPer100k, 1)} s | ${n(t.seconds, 1)} s |`;
  return `
## Page-progress records

Each page activity records its loop state in the collector's \`deliveryProgress\` entity after
every accepted page that another page of the call follows, so a crash re-sends at most the page in
flight. The same uncapped backfill (${n(run.audit)} + ${n(run.completions)} rows, fan-out ${run.parallelism}) ran with
records on and off (the bench's start-up hands the activities no progress log), interleaved in one
process after an unreported warm-up backfill: ${cost.pairs.length} pairs, in the order on-off, off-on, … Rates pool every run of a kind (total rows over total time).

| page-progress records | rows/s | audit/s | chat/s | connector CPU per 100k rows | time (all runs) |
|---|---|---|---|---|---|
${row("on", cost.on)}
${row("off", cost.off)}
| change | ${pct(cost.change.rowsPerSecond)} | ${pct(cost.change.auditPerSecond)} | ${pct(cost.change.chatPerSecond)} | ${pct(cost.change.cpuSecondsPer100k)} | |

| pair | on: rows/s (time) | off: rows/s (time) | change |
|---|---|---|---|
${cost.pairs.map((p, i) => `| ${i + 1} | ${n(p.on.rowsPerSecond)} (${n(p.on.seconds, 1)} s) | ${n(p.off.rowsPerSecond)} (${n(p.off.seconds, 1)} s) | ${pct(p.change)} |`).join("\n")}
`;
}
