/**
 * Reads the durable state the local host kept before SQLite: one JSON file (`durable-state.json`,
 * a {@link HostSnapshot} of version 1, rewritten whole on every change). Used once, by the
 * migration in `SqliteStore.open`. The shape is checked with zod so that a damaged file stops
 * the start-up with a message naming the file and the first bad field, before anything is written.
 */
import fs from "node:fs";
import { z } from "zod";
import type { HostSnapshot } from "./records";
import { DurableStateError } from "./store";

const event = z.looseObject({ EventType: z.number().int(), EventId: z.number().int(), Timestamp: z.string() });

const instance = z.looseObject({
  instanceId: z.string().min(1),
  name: z.string().min(1),
  generation: z.number().int().nonnegative(),
  runtimeStatus: z.enum(["Pending", "Running", "Completed", "ContinuedAsNew", "Failed", "Terminated"]),
  createdTime: z.number(),
  lastUpdatedTime: z.number(),
  history: z.array(event),
  inbox: z.array(event),
  scheduled: z.array(z.object({ type: z.number().int(), name: z.string() })),
  timers: z.record(z.string(), z.number()),
  activities: z.record(z.string(), z.tuple([z.string(), z.string()])),
});

const entity = z.looseObject({ name: z.string().min(1), key: z.string(), exists: z.boolean(), state: z.string().optional() });

const snapshot = z.object({ version: z.literal(1), instances: z.array(instance), entities: z.array(entity) });

/**
 * The snapshot in `file`. Throws {@link DurableStateError} naming the file when it is not JSON or
 * not a version-1 snapshot (the first problem's path, e.g. `instances.3.generation`).
 */
export function readLegacyState(file: string): HostSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new DurableStateError(file, `${file} is not readable JSON (${(error as Error).message}); nothing was migrated. Move it away to start with empty state.`);
  }
  const result = snapshot.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new DurableStateError(file, `${file} is not durable state of the local host (${issue.path.join(".") || "(top level)"}: ${issue.message}); nothing was migrated. Move it away to start with empty state.`);
  }
  return result.data as unknown as HostSnapshot;
}
