/** Assertions shared by scenarios: every id once, nothing unexpected. */
import assert from "node:assert/strict";
import type { LocalApp } from "../fakes/localApp";
import type { Stack } from "../fakes/stack";

/** Any app over the fakes: the local host's or the real engine's (test/engine). */
export interface OverFakes {
  readonly stack: Stack;
}

/** Counts how often each id arrived on a stream. */
export function arrivals(app: OverFakes, stream: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of app.stack.ingestion.rows(stream)) counts.set(row.Id as string, (counts.get(row.Id as string) ?? 0) + 1);
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
