/**
 * Issue #10 part 3: `npm start`'s entry killed with SIGKILL at random points of a backfill with
 * multi-page activities (10 audit pages, 30 chat pages per call), restarted on the same data
 * folder each time. Every id must arrive, and each crash may re-send at most the one page being
 * uploaded per activity in flight. Prints the duplicates each crash caused.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { demoData, type DemoOptions } from "../../src/local/demo";
import { seededRandom } from "../../src/local/fakes/generate";
import { demoRowIds as rowIds, startDemoProcess } from "./demoProcess";
import { until } from "./pageHarness";

const options: DemoOptions = { auditBacklog: 12_000, completionBacklog: 8_000, latencyMs: 25, live: false };
const PARALLELISM = 2;
const PAGE = 100;
const CRASHES = 6;
const TABLES = ["OpenAIAuditLogs_CL", "OpenAIChatCompletions_CL"] as const;
const start = (dataDir: string, port: number) => startDemoProcess(dataDir, port, options,
  { FETCH_PARALLELISM: String(PARALLELISM), PAGES_PER_ACTIVITY: "10", CHAT_PAGES_PER_ACTIVITY: "30", AUDIT_OVERLAP_SECONDS: "0" });

/** Duplicate rows per segment of arrivals, segments ending at `marks`. */
function duplicatesPerSegment(ids: readonly string[], marks: readonly number[]): number[] {
  const seen = new Set<string>();
  const counts = [...marks, ids.length].map(() => 0);
  let segment = 0;
  ids.forEach((id, i) => {
    while (segment < marks.length && i >= marks[segment]!) segment++;
    if (seen.has(id)) counts[segment]!++;
    seen.add(id);
  });
  return counts;
}

describe("crashes at random points", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "openai-sentinel-crash-"));
  const children: ChildProcess[] = [];
  after(() => { for (const c of children) c.kill("SIGKILL"); fs.rmSync(dataDir, { recursive: true, force: true }); });

  it(`${CRASHES} SIGKILLs during a multi-page backfill: every id arrives, each crash re-sends at most one page per activity in flight`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const random = seededRandom(seed);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const total = () => TABLES.map((t) => rowIds(dataDir, t).length);
    const marks: number[][] = [];
    for (let crash = 0; crash < CRASHES; crash++) {
      const child = start(dataDir, port + crash);
      children.push(child);
      await until("the management API", () => (child.output.join("").includes("Management API:") ? true : undefined), 30_000);
      const before = total();
      // Kill once the collectors are moving again, at a random point 0–900 ms later.
      await until("rows arriving", () => (total().some((n, i) => n > before[i]!) ? true : undefined), 30_000);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 900)));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      marks.push(total());
    }
    assert.ok(marks.at(-1)![0]! < options.auditBacklog || marks.at(-1)![1]! < options.completionBacklog, `the backfill finished before the last crash: ${marks.at(-1)!.join(", ")}`);
    const last = start(dataDir, port + CRASHES);
    children.push(last);
    await until("the backfill to finish", () => (total()[0]! >= options.auditBacklog && total()[1]! >= options.completionBacklog ? true : undefined), 180_000);
    await new Promise((r) => setTimeout(r, 1_000));
    last.kill("SIGTERM");
    await new Promise((r) => last.once("exit", r));

    const { epochSeconds } = JSON.parse(fs.readFileSync(path.join(dataDir, "demo", "demo-epoch.json"), "utf8")) as { epochSeconds: number };
    const expected = demoData(epochSeconds, options);
    const [audit, chat] = TABLES.map((t) => rowIds(dataDir, t)) as [string[], string[]];
    assert.deepEqual(new Set(audit), new Set(expected.audit.map(([e]) => e.id)));
    assert.deepEqual(new Set(chat), new Set(expected.completions.map(([c]) => c.id)));

    // Segment 0 is before the first crash; segment k holds what arrived after restart k.
    const perCrash = TABLES.map((_, t) => duplicatesPerSegment(t === 0 ? audit : chat, marks.map((m) => m[t]!)));
    console.log(`seed ${seed}; duplicate rows per crash (audit, ${PARALLELISM} activities + a late sweep in flight at most; chat, 1): ${perCrash[0]!.slice(1).map((a, k) => `#${k + 1}: ${a} / ${perCrash[1]![k + 1]}`).join(", ")}`);
    assert.deepEqual([perCrash[0]![0], perCrash[1]![0]], [0, 0], "duplicates without a crash");
    for (let k = 1; k <= CRASHES; k++) {
      assert.ok(perCrash[0]![k]! <= PAGE * (PARALLELISM + 1), `crash ${k} re-sent ${perCrash[0]![k]} audit rows (seed ${seed})`);
      assert.ok(perCrash[1]![k]! <= PAGE, `crash ${k} re-sent ${perCrash[1]![k]} chat rows (seed ${seed})`);
    }
  });
});
