/**
 * Child process for the store's crash test: commits changes to 20 instances as fast as it can and
 * prints "<instanceId> <n>" after each commit, until it is killed. Commit n changes instance
 * `c<n % 20>`: its input becomes `{ n }`, its history gets one event carrying n, and every tenth
 * commit of an instance starts a new generation (continueAsNew). Each transaction holds three
 * commits (two coalesced changes and an urgent one). On start it resumes after the last commit found.
 */
import fs from "node:fs";
import { EventType, historyEvent } from "../../src/local/durable/history";
import type { InstanceRecord } from "../../src/local/durable/records";
import { SqliteStore } from "../../src/local/durable/sqliteStore";

const INSTANCES = 20;
const file = process.argv[2];
// `node --test dist/test/` runs every file it finds, this one too: without a database path it does nothing.
if (file === undefined) process.exit(0);
const instances = new Map<string, InstanceRecord>();
const store = SqliteStore.open(file, { instance: (id) => instances.get(id), entity: () => undefined }, { writeIntervalMs: 60_000 });
let n = 0;
for (const r of store.load()?.instances ?? []) {
  instances.set(r.instanceId, r);
  n = Math.max(n, (r.input as { n: number }).n + 1);
}
fs.writeSync(1, "ready\n");

function commit(k: number): string {
  const id = `c${k % INSTANCES}`;
  const own = Math.floor(k / INSTANCES) + 1;
  const generation = Math.floor((own - 1) / 10);
  const event = historyEvent(EventType.TaskCompleted, 1_764_000_000_000 + k, { TaskScheduledId: own, Input: String(k), Result: "x".repeat(200 + (k % 300)) });
  const r = instances.get(id);
  if (!r) {
    instances.set(id, { instanceId: id, name: "crash", generation, runtimeStatus: "Running", input: { n: k }, output: null, customStatus: null, createdTime: 0, lastUpdatedTime: 0, history: [event], inbox: [], scheduled: [], timers: {}, activities: {} });
  } else {
    if (r.generation !== generation) { r.generation = generation; r.history = [event]; } else r.history.push(event);
    r.input = { n: k };
  }
  return id;
}

for (;;) {
  const ids = [commit(n), commit(n + 1), commit(n + 2)];
  store.changed({ instanceId: ids[0]! }, false);
  store.changed({ instanceId: ids[1]! }, false);
  store.changed({ instanceId: ids[2]! }, true);
  fs.writeSync(1, ids.map((id, i) => `${id} ${n + i}\n`).join(""));
  n += 3;
}
