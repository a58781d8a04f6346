/**
 * Runs registered timer functions on their NCRONTAB schedules (`sec min hour day month weekday`),
 * as the Functions host does. Supports wildcards, steps (`a/n`, `*` slash n), numbers, ranges `a-b` and lists.
 */
import type { Clock } from "./durable/clock";
import { invokeTimer } from "./durable/invoke";
import type { RegisteredFunction } from "./functionsCore";

const BOUNDS: Array<[number, number]> = [[0, 59], [0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];

function field(spec: string, [min, max]: [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of spec.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] = range === "*" ? [min, max] : range!.includes("-") ? range!.split("-").map(Number) as [number, number] : [Number(range), stepText === undefined ? Number(range) : max];
    if (![step, from, to].every(Number.isInteger) || step < 1 || from < min || to > max) throw new Error(`bad NCRONTAB field "${spec}"`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** The first time strictly after `afterMs` that matches the NCRONTAB expression (UTC). */
export function nextOccurrence(expression: string, afterMs: number): number {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`NCRONTAB needs 6 fields, got "${expression}"`);
  const [sec, min, hour, day, month, weekday] = parts.map((p, i) => field(p, BOUNDS[i]!));
  let t = Math.floor(afterMs / 1000) * 1000 + 1000;
  for (let guard = 0; guard < 366 * 24 * 3600; guard++) {
    const d = new Date(t);
    if (month!.has(d.getUTCMonth() + 1) && day!.has(d.getUTCDate()) && weekday!.has(d.getUTCDay()) && hour!.has(d.getUTCHours()) && min!.has(d.getUTCMinutes()) && sec!.has(d.getUTCSeconds())) return t;
    // Skip whole minutes when the minute cannot match.
    t += min!.has(d.getUTCMinutes()) && hour!.has(d.getUTCHours()) ? 1000 : 60_000 - d.getUTCSeconds() * 1000;
  }
  throw new Error(`NCRONTAB "${expression}" never fires`);
}

/** Schedules every timer function (and runs each once at start-up); returns a stop handle. */
export function scheduleTimerFunctions(functions: readonly RegisteredFunction[], rpcBaseUrl: string, clock: Clock, log: (line: string) => void): { stop(): void } {
  const cancels: Array<() => void> = [];
  let stopped = false;
  for (const fn of functions.filter((f) => f.triggerType === "timerTrigger")) {
    const schedule = String(fn.bindings[fn.triggerName]!.schedule);
    const run = () => invokeTimer(fn, rpcBaseUrl, log).catch((error: unknown) => log(`[${fn.name}] failed: ${(error as Error).message}`));
    const arm = (after: number) => {
      if (stopped) return;
      const at = nextOccurrence(schedule, after);
      cancels.push(clock.at(at, () => { void run().finally(() => arm(at)); }));
    };
    void run();
    arm(clock.now());
  }
  return { stop: () => { stopped = true; cancels.forEach((c) => c()); } };
}
