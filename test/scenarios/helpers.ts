/** Assertions shared by scenarios: every id once, nothing unexpected. */
import assert from "node:assert/strict";
import { AUDIT_SLICE_ACTIVITY, CHAT_ANCHORS_ACTIVITY, CHAT_PAGES_ACTIVITY } from "../../orchestrators/names";
import { EventType } from "../../src/local/durable/history";
import type { LocalApp } from "../fakes/localApp";
import type { Stack } from "../fakes/stack";

/** Any app over the fakes: the local host's or the real engine's (test/engine). */
export interface OverFakes {
  readonly stack: Stack;
}

/** Rows that arrived more than once on a stream (an id twice counts 1); only the rows `only` accepts, when given. */
export function extraArrivals(app: OverFakes, stream: string, only?: (row: Record<string, unknown>) => boolean): number {
  return [...arrivals(app, stream, only).values()].reduce((n, c) => n + c - 1, 0);
}

/** One orchestrator invocation of a collector: its input (the generation's state) and the history it replayed. */
export interface GenerationEpisode {
  readonly input: unknown;
  readonly history: ReadonlyArray<{ readonly EventType: number; readonly EventId?: number; readonly Name?: unknown; readonly Input?: unknown; readonly TaskScheduledId?: unknown }>;
}

/** A generation as its history ended: the page activities it scheduled (name and input JSON, in order) and how many the platform failed. */
export interface GenerationRun {
  readonly scheduled: readonly string[];
  readonly lost: number;
  /** The lost calls: name and input JSON, as in `scheduled`. */
  readonly lostCalls: readonly string[];
}

const PAGE_ACTIVITIES = new Set<unknown>([AUDIT_SLICE_ACTIVITY, CHAT_PAGES_ACTIVITY, CHAT_ANCHORS_ACTIVITY]);

/** The generations of one collector, from its orchestrator invocations in order (local host episodes or the engine's payloads). */
export function generationRuns(episodes: Iterable<GenerationEpisode>): GenerationRun[] {
  const byInput = new Map<string, GenerationRun>();
  for (const { input, history } of episodes) {
    const pages = new Map(history.filter((e) => e.EventType === EventType.TaskScheduled && PAGE_ACTIVITIES.has(e.Name)).map((e) => [e.EventId, `${String(e.Name)} ${String(e.Input)}`]));
    const lostCalls = history.filter((e) => e.EventType === EventType.TaskFailed && pages.has(e.TaskScheduledId as number)).map((e) => pages.get(e.TaskScheduledId as number)!);
    byInput.set(JSON.stringify(input), { scheduled: [...pages.values()], lost: lostCalls.length, lostCalls });
  }
  return [...byInput.values()];
}

/**
 * Which delivery a lost call belongs to: the chat segments, or an audit scope
 * (`collectAuditSlice organization` / `collectAuditSlice tenant`).
 */
export function lostCallGroup(call: string): string {
  const space = call.indexOf(" ");
  const name = call.slice(0, space);
  const input = JSON.parse(call.slice(space + 1)) as { scope?: string };
  return name === AUDIT_SLICE_ACTIVITY ? `${name} ${input.scope ?? "organization"}` : name;
}

/** Each generation that lost page activities, with the one after it (its retry). */
export function retriedGenerations(runs: readonly GenerationRun[]): Array<{ failed: GenerationRun; retry: GenerationRun | undefined }> {
  return runs.flatMap((failed, i) => (failed.lost > 0 ? [{ failed, retry: runs[i + 1] }] : []));
}

/** Counts how often each id arrived on a stream (only the rows `only` accepts, when given). */
export function arrivals(app: OverFakes, stream: string, only?: (row: Record<string, unknown>) => boolean): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of app.stack.ingestion.rows(stream)) if (!only || only(row)) counts.set(row.Id as string, (counts.get(row.Id as string) ?? 0) + 1);
  return counts;
}

/** Asserts that exactly `expected` ids arrived, each once; returns the duplicate count for reporting. */
export function assertEveryIdOnce(app: OverFakes, stream: string, expected: readonly string[]): void {
  const counts = arrivals(app, stream);
  const missing = expected.filter((id) => !counts.has(id));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const wanted = new Set(expected);
  const unexpected = [...counts.keys()].filter((id) => !wanted.has(id));
  assert.deepEqual({ missing: missing.length, duplicated: duplicated.length, unexpected: unexpected.length, total: counts.size },
    { missing: 0, duplicated: 0, unexpected: 0, total: expected.length }, `missing ${missing.slice(0, 3).join(",")} duplicated ${duplicated.slice(0, 3).join(",")}`);
}

/** Runtime statuses of every instance. */
export function runtimeStatuses(app: LocalApp): string[] {
  return [...app.host.instances.values()].map((r) => `${r.instanceId}:${r.runtimeStatus}`);
}

/** Puts a collector and asserts it was created. */
export async function createCollector(app: { api(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> }, id: string, body: Record<string, unknown>): Promise<void> {
  const res = await app.api("PUT", `/api/collectors/${id}`, body);
  assert.equal(res.status, 201, res.text);
}
