import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareProgress, progressCostSection, worstLoss } from "../../scripts/bench/progressCost";

// 6,000 audit events + 1,000 completions per run; times chosen so the rates are whole numbers.
const run = (seconds: number, auditSeconds: number, chatSeconds: number, cpuSecondsPer100k = 10) => ({ audit: 6_000, completions: 1_000, seconds, auditSeconds, chatSeconds, cpuSecondsPer100k });

describe("compareProgress", () => {
  it("pools each kind's runs as total rows over total time and compares on against off, per pair and overall", () => {
    const cost = compareProgress([
      { on: run(10, 10, 5, 12), off: run(7, 6, 7) },
      { on: run(4, 2, 4, 18), off: run(7, 6, 3) },
    ]);
    assert.deepEqual(cost, {
      pairs: [
        { on: { rows: 7_000, seconds: 10, rowsPerSecond: 700, auditPerSecond: 600, chatPerSecond: 200, cpuSecondsPer100k: 12 }, off: { rows: 7_000, seconds: 7, rowsPerSecond: 1_000, auditPerSecond: 1_000, chatPerSecond: 1_000 / 7, cpuSecondsPer100k: 10 }, change: 700 / 1_000 - 1 },
        { on: { rows: 7_000, seconds: 4, rowsPerSecond: 1_750, auditPerSecond: 3_000, chatPerSecond: 250, cpuSecondsPer100k: 18 }, off: { rows: 7_000, seconds: 7, rowsPerSecond: 1_000, auditPerSecond: 1_000, chatPerSecond: 1_000 / 3, cpuSecondsPer100k: 10 }, change: 1_750 / 1_000 - 1 },
      ],
      // 14,000 rows in 14 s on and in 14 s off: equal; audit 12,000 in 12 s both ways; chat 2,000 in 9 s on, in 10 s off;
      // CPU on: 0.84 s + 1.26 s for 14,000 rows = 15 s per 100k, against 10.
      on: { rows: 14_000, seconds: 14, rowsPerSecond: 1_000, auditPerSecond: 1_000, chatPerSecond: 2_000 / 9, cpuSecondsPer100k: 15 },
      off: { rows: 14_000, seconds: 14, rowsPerSecond: 1_000, auditPerSecond: 1_000, chatPerSecond: 200, cpuSecondsPer100k: 10 },
      change: { rowsPerSecond: 0, auditPerSecond: 0, chatPerSecond: 2_000 / 9 / 200 - 1, cpuSecondsPer100k: 0.5 },
      allowedLoss: 0.05,
    });
    assert.equal(worstLoss(cost), 0);
  });

  it("reports the worst of the three pooled losses", () => {
    // Records on: audit 10 % slower (6,000 in 10 s against 9 s), chat and the run unchanged.
    const cost = compareProgress([{ on: run(10, 10, 5), off: run(10, 9, 5) }]);
    assert.ok(Math.abs(worstLoss(cost) - 0.1) < 1e-12, `worst loss ${worstLoss(cost)}`);
  });

  it("refuses no pairs, and pairs that collected different data", () => {
    assert.throws(() => compareProgress([]), /at least one pair/);
    assert.throws(() => compareProgress([{ on: run(1, 1, 1), off: { ...run(1, 1, 1), completions: 999 } }]), /pair 1: records on collected 6000 \+ 1000 rows, off 6000 \+ 999/);
  });
});

describe("progressCostSection", () => {
  it("renders the pooled on / off / change table and one row per pair", () => {
    const section = progressCostSection(compareProgress([{ on: run(10, 10, 5), off: run(8, 8, 4) }]), { audit: 6_000, completions: 1_000, parallelism: 8 });
    const tableRows = section.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| page-progress") && !line.startsWith("| pair"));
    assert.deepEqual(tableRows, [
      "| on | 700 | 600 | 200 | 10.0 s | 10.0 s |",
      "| off | 875 | 750 | 250 | 10.0 s | 8.0 s |",
      "| change | −20.0 % | −20.0 % | −20.0 % | ±0.0 % | |",
      "| 1 | 700 (10.0 s) | 875 (8.0 s) | −20.0 % |",
    ]);
  });
});
