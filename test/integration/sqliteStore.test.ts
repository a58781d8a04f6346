/**
 * The local host's SQLite store on a real database file: it writes only what changed (one row per
 * changed record, only the new history events, as one row), reads back exactly what was written,
 * reads a database of schema 1 (a row per event), imports an
 * old durable-state.json once, refuses a damaged one without writing anything, and keeps every
 * committed change through kill -9 in the middle of writes.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { EventType, historyEvent } from "../../src/local/durable/history";
import { entityKey, type EntityRecord, type HostSnapshot, type InstanceRecord } from "../../src/local/durable/records";
import { sqliteOpenFailure, SqliteStore } from "../../src/local/durable/sqliteStore";
import { DurableStateError, type RecordSource } from "../../src/local/durable/store";
import { sqliteOrSkip } from "../fakes/sqlite";

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite-store-"));
  dirs.push(dir);
  return dir;
}
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function instance(id: string, generation: number, events: number): InstanceRecord {
  return {
    instanceId: id, name: "collectorOrchestrator", generation, runtimeStatus: "Running", input: { collectorId: id, cursor: { after: `evt_${id}` } }, output: null,
    customStatus: { state: "running" }, createdTime: 1_764_000_000_000, lastUpdatedTime: 1_764_000_000_000, inbox: [], scheduled: [{ type: 7, name: "get" }], timers: { 1: 1_764_000_300_000 }, activities: {},
    history: Array.from({ length: events }, (_, i) => historyEvent(EventType.TaskCompleted, 1_764_000_000_000 + i, { TaskScheduledId: i, Result: `{"rowsWritten":${i}}` }, i)),
  };
}

function entity(key: string): EntityRecord {
  return { name: "collector", key, exists: true, state: JSON.stringify({ definition: { id: key }, desired: "running" }) };
}

/** A host's maps, as the store sees them. */
class Records implements RecordSource {
  readonly instances = new Map<string, InstanceRecord>();
  readonly entities = new Map<string, EntityRecord>();
  instance(id: string) { return this.instances.get(id); }
  entity(id: string) { return this.entities.get(id); }
  snapshot(): HostSnapshot {
    const byId = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
    return JSON.parse(JSON.stringify({ version: 1, instances: byId(this.instances), entities: byId(this.entities) })) as HostSnapshot;
  }
}

/** A store on `file` with one instance ("c0", 3 events) committed; left open. */
function storeWithOneInstance(file: string): SqliteStore {
  const records = new Records();
  records.instances.set("c0", instance("c0", 0, 3));
  const store = SqliteStore.open(file, records);
  store.changed({ instanceId: "c0" }, true);
  return store;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
/** Bytes of one history row: the events as a JSON array. */
const runBytes = (events: readonly unknown[]) => bytes(events);
/** Bytes of an instance row: without history, and without input unless `withInput` (a new generation). */
const recordBytes = (r: InstanceRecord, withInput = true) => { const { history: _history, input, ...rest } = r; return bytes(rest) + (withInput ? bytes(input ?? null) : 0); };

describe("SqliteStore", () => {
  it("writes one row per changed record and only the new history events, as one row; reads back exactly what was written", (t) => {
    if (!sqliteOrSkip(t)) return;
    const file = path.join(tempDir(), "durable-state.db");
    const records = new Records();
    const store = SqliteStore.open(file, records);
    assert.equal(store.load(), undefined);
    for (let i = 0; i < 100; i++) records.instances.set(`c${i}`, instance(`c${i}`, 0, 10));
    for (let i = 0; i < 20; i++) records.entities.set(entityKey("collector", `c${i}`), entity(`c${i}`));
    for (const id of records.instances.keys()) store.changed({ instanceId: id }, false);
    for (const id of records.entities.keys()) store.changed({ entityId: id }, false);
    store.flush();
    const delta = (before: ReturnType<() => typeof store.stats>) => ({ transactions: store.stats.transactions - before.transactions, rows: store.stats.rowsWritten - before.rowsWritten, bytes: store.stats.payloadBytes - before.payloadBytes });
    assert.deepEqual(delta({ transactions: 0, rowsWritten: 0, payloadBytes: 0, largestTransactionBytes: 0 }), {
      transactions: 1, rows: 100 + 100 + 20,
      bytes: [...records.instances.values()].reduce((n, r) => n + recordBytes(r) + runBytes(r.history), 0) + [...records.entities.values()].reduce((n, e) => n + bytes(e), 0),
    });

    // An activity result for one instance among 100: its record and one row of three new events, nothing else.
    const c7 = records.instances.get("c7")!;
    const added = [historyEvent(EventType.OrchestratorStarted, 1), historyEvent(EventType.TaskCompleted, 2, { TaskScheduledId: 10, Result: "{}" }), historyEvent(EventType.OrchestratorCompleted, 3)];
    c7.history = [...c7.history, ...added];
    c7.customStatus = { state: "running", rowsIngested: 100 };
    let before = store.stats;
    store.changed({ instanceId: "c7" }, true);
    assert.deepEqual(delta(before), { transactions: 1, rows: 1 + 1, bytes: recordBytes(c7, false) + runBytes(added) });

    // continueAsNew: the old generation's two rows (13 events) go, the new one's first event is written.
    records.instances.set("c7", { ...c7, generation: 1, history: [historyEvent(EventType.ExecutionStarted, 4, { Input: "{}" })] });
    before = store.stats;
    store.changed({ instanceId: "c7" }, true);
    assert.deepEqual(delta(before), { transactions: 1, rows: 2 + 1 + 1, bytes: recordBytes(records.instances.get("c7")!) + runBytes(records.instances.get("c7")!.history) });

    // Purge and entity deletion remove their rows.
    records.instances.delete("c8");
    records.entities.delete(entityKey("collector", "c8"));
    before = store.stats;
    store.changed({ instanceId: "c8" }, false);
    store.changed({ entityId: entityKey("collector", "c8") }, true);
    assert.deepEqual(delta(before), { transactions: 1, rows: 1 + 1 + 1, bytes: 0 });
    store.close();

    const reopened = SqliteStore.open(file, new Records());
    assert.deepEqual(reopened.load(), records.snapshot());
    reopened.close();
  });

  it("takes over a schema-1 database (one event per history row) as it is, and appends runs after its events", async (t) => {
    if (!sqliteOrSkip(t)) return;
    const file = path.join(tempDir(), "durable-state.db");
    const old = new Records();
    old.instances.set("c0", instance("c0", 2, 4));
    old.entities.set(entityKey("collector", "c0"), entity("c0"));
    const Database = (await import("better-sqlite3")).default;
    const v1 = new Database(file);
    v1.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE instances (instance_id TEXT PRIMARY KEY, generation INTEGER NOT NULL, input TEXT NOT NULL, record TEXT NOT NULL);
      CREATE TABLE history (instance_id TEXT NOT NULL, position INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (instance_id, position)) WITHOUT ROWID;
      CREATE TABLE entities (entity_id TEXT PRIMARY KEY, record TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema', '1');`);
    const { history, input, ...rest } = old.instances.get("c0")!;
    v1.prepare("INSERT INTO instances VALUES (?, ?, ?, ?)").run("c0", 2, JSON.stringify(input), JSON.stringify(rest));
    history.forEach((event, position) => v1.prepare("INSERT INTO history VALUES (?, ?, ?)").run("c0", position, JSON.stringify(event)));
    v1.prepare("INSERT INTO entities VALUES (?, ?)").run(entityKey("collector", "c0"), JSON.stringify(old.entities.get(entityKey("collector", "c0"))));
    v1.close();

    const records = new Records();
    const store = SqliteStore.open(file, records);
    const loaded = store.load()!;
    assert.deepEqual(loaded, old.snapshot());
    for (const r of loaded.instances) records.instances.set(r.instanceId, r);
    const c0 = records.instances.get("c0")!;
    c0.history.push(historyEvent(EventType.OrchestratorStarted, 9), historyEvent(EventType.OrchestratorCompleted, 10));
    store.changed({ instanceId: "c0" }, true);
    store.close();

    const raw = new Database(file, { readonly: true });
    assert.deepEqual([raw.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get(), raw.prepare("SELECT position FROM history ORDER BY position").pluck().all()], ["2", [0, 1, 2, 3, 4]]);
    raw.close();
    const reopened = SqliteStore.open(file, new Records());
    assert.deepEqual(reopened.load()!.instances, JSON.parse(JSON.stringify([c0])));
    reopened.close();

    // A database of a later schema is refused, unchanged.
    const later = new Database(file);
    later.prepare("UPDATE meta SET value = '3' WHERE key = 'schema'").run();
    later.close();
    assert.throws(() => SqliteStore.open(file, new Records()), (e: unknown) => e instanceof DurableStateError && e.message === `${file} was written by a newer version of the connector (schema 3, this one reads 2).`);
  });

  it("refuses a second process's host on the same database", async (t) => {
    if (!sqliteOrSkip(t)) return;
    const file = path.join(tempDir(), "durable-state.db");
    const store = SqliteStore.open(file, new Records());
    const child = spawn(process.execPath, ["-e", `
      const { SqliteStore } = require(${JSON.stringify(path.resolve(__dirname, "../../src/local/durable/sqliteStore.js"))});
      try { SqliteStore.open(process.argv[1], { instance: () => undefined, entity: () => undefined }); console.log("opened"); }
      catch (e) { console.log(e.name + ": " + e.message); }`, file], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.once("exit", r));
    store.close();
    assert.equal(out.trim(), `DurableStateError: ${file} is in use by another connector process: run one host per data folder (--data).`);
  });

  it("coalesces changes that are not urgent into one transaction", async (t) => {
    if (!sqliteOrSkip(t)) return;
    const records = new Records();
    const store = SqliteStore.open(path.join(tempDir(), "durable-state.db"), records, { writeIntervalMs: 20 });
    for (let i = 0; i < 5; i++) { records.instances.set(`c${i}`, instance(`c${i}`, 0, 2)); store.changed({ instanceId: `c${i}` }, false); }
    store.changed({ instanceId: "c0" }, false);
    const atOnce = store.stats.transactions;
    while (store.stats.transactions === 0) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual([atOnce, store.stats.transactions, store.stats.rowsWritten], [0, 1, 5 + 5]);
    store.close();
  });

  it("imports an old durable-state.json once, and keeps it as durable-state.json.migrated", (t) => {
    if (!sqliteOrSkip(t)) return;
    const dir = tempDir();
    const legacy = path.join(dir, "durable-state.json");
    const old = new Records();
    for (let i = 0; i < 3; i++) old.instances.set(`c${i}`, instance(`c${i}`, i, 4 + i));
    old.entities.set(entityKey("collector", "c0"), entity("c0"));
    fs.writeFileSync(legacy, JSON.stringify(old.snapshot()));
    const logs: string[] = [];
    const store = SqliteStore.open(path.join(dir, "durable-state.db"), new Records(), { legacyJsonFile: legacy, log: (l) => logs.push(l) });
    assert.deepEqual(store.load(), old.snapshot());
    store.close();
    assert.deepEqual([fs.existsSync(legacy), fs.existsSync(`${legacy}.migrated`), logs.length], [false, true, 1]);

    // A durable-state.json that appears later is not imported again, and the start says so.
    fs.writeFileSync(legacy, JSON.stringify({ version: 1, instances: [], entities: [] }));
    const later: string[] = [];
    const again = SqliteStore.open(path.join(dir, "durable-state.db"), new Records(), { legacyJsonFile: legacy, log: (l) => later.push(l) });
    assert.deepEqual(again.load(), old.snapshot());
    again.close();
    assert.deepEqual([fs.existsSync(legacy), later], [true, [`${legacy} was not imported: ${path.join(dir, "durable-state.db")} already holds the durable state, which is what runs. Move the old file away to stop this message.`]]);
  });

  it("refuses a damaged durable-state.json with the file and field named, and writes nothing", (t) => {
    if (!sqliteOrSkip(t)) return;
    const dir = tempDir();
    const legacy = path.join(dir, "durable-state.json");
    const db = path.join(dir, "durable-state.db");
    const good = new Records();
    good.instances.set("c0", instance("c0", 0, 3));
    const damaged = good.snapshot() as unknown as { instances: Array<Record<string, unknown>> };
    damaged.instances[0]!.generation = "zero";
    for (const [text, message] of [['{"version":1,"instances":[', /is not readable JSON/], [JSON.stringify(damaged), /instances\.0\.generation/]] as const) {
      fs.writeFileSync(legacy, text);
      assert.throws(() => SqliteStore.open(db, new Records(), { legacyJsonFile: legacy }),
        (e: unknown) => e instanceof DurableStateError && e.file === legacy && message.test(e.message) && e.message.includes(legacy) && /nothing was migrated/.test(e.message));
      assert.equal(fs.existsSync(legacy), true);
    }
    // The database this start created is gone again, so the next start is a first start.
    assert.deepEqual(fs.readdirSync(dir), ["durable-state.json"]);
    // Once the file is fixed, the next start imports it.
    fs.writeFileSync(legacy, JSON.stringify(good.snapshot()));
    const store = SqliteStore.open(db, new Records(), { legacyJsonFile: legacy });
    assert.deepEqual(store.load(), good.snapshot());
    store.close();
  });

  it("refuses an existing database that holds no state (emptied, or its -wal removed after a crash) instead of starting over", (t) => {
    if (!sqliteOrSkip(t)) return;
    const dir = tempDir();
    const db = path.join(dir, "durable-state.db");
    const first = storeWithOneInstance(db);
    // A crash: the state is in the write-ahead log; the log is then removed by hand.
    const wal = fs.readFileSync(`${db}-wal`);
    assert.ok(wal.length > 0);
    fs.copyFileSync(db, path.join(dir, "copy.db"));
    first.close();
    const lost = path.join(dir, "lost.db");
    fs.renameSync(path.join(dir, "copy.db"), lost);
    const empty = path.join(dir, "empty.db");
    fs.writeFileSync(empty, "");
    for (const file of [lost, empty]) {
      assert.throws(() => SqliteStore.open(file, new Records()), (e: unknown) => e instanceof DurableStateError && e.file === file
        && e.message === `${file} holds no durable state: the file is empty or its write-ahead log (${path.basename(file)}-wal) was removed. Starting empty would collect every collector's data again; restore the file (and its -wal) from a backup, or move it away to start with empty state.`);
      assert.equal(fs.existsSync(file), true);
    }
  });

  it("names the file and the remedy when it is damaged, not a database, or not writable", (t) => {
    if (!sqliteOrSkip(t)) return;
    const dir = tempDir();
    const good = path.join(dir, "good.db");
    storeWithOneInstance(good).close();
    const notDb = path.join(dir, "not.db");
    fs.writeFileSync(notDb, Buffer.alloc(4096, 7));
    const truncated = path.join(dir, "truncated.db");
    fs.writeFileSync(truncated, fs.readFileSync(good).subarray(0, 1500));
    const failures = [notDb, truncated].map((file) => {
      try {
        SqliteStore.open(file, new Records()).load();
        return "opened";
      } catch (error) {
        return error instanceof DurableStateError && error.file === file ? error.message.replace(file, "FILE").replace(/\([^)]*\)/, "(…)") : String(error);
      }
    });
    assert.deepEqual(failures, Array(2).fill("FILE is damaged (…): restore it from a backup, or move it away (with its -wal and -shm files) to start with empty state."));
    // Tests run as root here, which file modes do not stop, so the unwritable case is given to the mapping as SQLite reports it.
    assert.deepEqual([(sqliteOpenFailure(good, Object.assign(new Error("attempt to write a readonly database"), { code: "SQLITE_READONLY" })) as Error).message, sqliteOpenFailure(good, new Error("other")) instanceof DurableStateError],
      [`${good} cannot be read and written (attempt to write a readonly database): the connector's user needs read and write access to it, its -wal and -shm files and its folder.`, false]);
  });

  it("keeps every committed change through kill -9 in the middle of writes, and never a half-written record", async (t) => {
    if (!sqliteOrSkip(t)) return;
    const db = path.join(tempDir(), "durable-state.db");
    const writer = path.resolve(__dirname, "../fakes/storeCrashWriter.js");
    const acknowledged = new Map<string, number>();
    let commits = 0;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, [writer, db], { stdio: ["ignore", "pipe", "inherit"] });
      let buffered = "";
      let ready = false;
      child.stdout.on("data", (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) {
          if (line === "ready") { ready = true; continue; }
          const [id, n] = line.split(" ");
          acknowledged.set(id!, Number(n));
          commits++;
        }
      });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const before = commits;
      // Kill it once it has committed a few hundred more changes: mid-transaction, most likely.
      while (!ready || commits < before + 200 + round * 97) await new Promise((r) => setTimeout(r, 5));
      child.kill("SIGKILL");
      await exited;
    }
    const Database = (await import("better-sqlite3")).default;
    const raw = new Database(db);
    assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
    raw.close();
    const loaded = SqliteStore.open(db, new Records()).load()!;
    const consistent = loaded.instances.map((r) => {
      const n = (r.input as { n: number }).n;
      // The writer's invariant: generation = commits of this instance / 10, history = one event per commit in the generation.
      const own = Math.floor(n / 20) + 1;
      return { id: r.instanceId, generation: r.generation === Math.floor((own - 1) / 10), history: r.history.length === ((own - 1) % 10) + 1, last: (r.history.at(-1)!.Input as string) === String(n), kept: n >= (acknowledged.get(r.instanceId) ?? -1) };
    });
    assert.deepEqual(consistent.filter((c) => !(c.generation && c.history && c.last && c.kept)), []);
    assert.equal(loaded.instances.length, 20);
    assert.ok(commits > 1_000, `${commits} acknowledged commits`);
  });
});
