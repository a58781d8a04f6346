/**
 * The local host's durable state in SQLite (better-sqlite3, WAL mode): one row per instance and
 * per entity, plus the history events of each instance's current generation in rows of
 * consecutive events, one row per write. A change rewrites only the rows of the records that
 * changed, in one transaction, and appends the new history events as one row instead of
 * rewriting a history. On first open of a data folder that still has the old
 * `durable-state.json`, its contents are imported once, in one transaction.
 *
 * Crash safety: WAL with `synchronous=NORMAL` keeps every committed transaction through a process
 * crash (kill -9, OOM kill); after a power loss or OS crash the newest transactions can roll back
 * as a whole, which makes the host re-run the activities they recorded (pages read again, rows
 * re-sent: duplicates, never a loss), and never leaves a half-written record
 * (https://www.sqlite.org/wal.html, https://www.sqlite.org/pragma.html#pragma_synchronous).
 */
import fs from "node:fs";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { eventJson, type HistoryEvent } from "./history";
import { readLegacyState } from "./legacyJsonState";
import { entityKey, type EntityRecord, type HostSnapshot, type InstanceRecord } from "./records";
import { DurableStateError, type DurableStore, type HostChange, type RecordSource, type StoreStats } from "./store";

/**
 * Schema version kept in `meta.schema`. 2: a `history` row holds a JSON array of consecutive
 * events, the first at `position`. Version 1 wrote one event object per row; such rows are still
 * read, so a version-1 database is taken over as it is (its schema noted as 2 on open).
 */
export const SCHEMA_VERSION = 2;

/** Default coalescing interval for non-urgent changes, ms. */
export const DEFAULT_WRITE_INTERVAL_MS = 100;

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** The old whole-state JSON file to import once when the database is new. */
  readonly legacyJsonFile?: string;
  /** Coalescing interval for non-urgent changes, ms (default {@link DEFAULT_WRITE_INTERVAL_MS}). */
  readonly writeIntervalMs?: number;
  /** Receives one line per notable event (migration). */
  readonly log?: (line: string) => void;
}

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/**
 * Loads better-sqlite3 (a devDependency: only the local host uses it, the Azure package does not
 * carry it). Throws a {@link DurableStateError} that names the fix when it is missing or was built
 * for another Node.js version.
 */
export function openDatabase(file: string): Database {
  let Driver: typeof BetterSqlite3;
  try {
    // Loaded here, not imported at the top, so nothing else pays for (or needs) the native module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Driver = require("better-sqlite3") as typeof BetterSqlite3;
  } catch (error) {
    throw new DurableStateError(file, `The local host keeps its state in SQLite through the package better-sqlite3, which is not installed (${(error as Error).message.split("\n")[0]}): run "npm ci" without --omit=dev.`);
  }
  try {
    return new Driver(file);
  } catch (error) {
    const message = (error as Error).message;
    if (/NODE_MODULE_VERSION|ERR_DLOPEN_FAILED|invalid ELF|wrong ELF/i.test(message) || (error as { code?: string }).code === "ERR_DLOPEN_FAILED") {
      throw new DurableStateError(file, `better-sqlite3 was built for another Node.js than this one (${process.version}, modules ${process.versions.modules}): run "npm run native:rebuild" with this Node.js.`);
    }
    throw new DurableStateError(file, `Cannot open the durable state database ${file}: ${message}`);
  }
}

/**
 * The start-up error for SQLite error `error` while opening or first reading `file`, naming the
 * file and what to do: another process holds it (`SQLITE_BUSY`), it is damaged or not a database
 * (`SQLITE_CORRUPT`, `SQLITE_NOTADB`), or it cannot be read or written (`SQLITE_READONLY*`,
 * `SQLITE_IOERR*`, `SQLITE_CANTOPEN`, `SQLITE_PERM`); any other error is returned as it is.
 * Codes: https://www.sqlite.org/rescode.html (better-sqlite3 puts them in `error.code`).
 */
export function sqliteOpenFailure(file: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const message = (error as Error).message;
  if (code === "SQLITE_BUSY") return new DurableStateError(file, `${file} is in use by another connector process: run one host per data folder (--data).`);
  if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
    return new DurableStateError(file, `${file} is damaged (${message}): restore it from a backup, or move it away (with its -wal and -shm files) to start with empty state.`);
  }
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN") || code === "SQLITE_PERM") {
    return new DurableStateError(file, `${file} cannot be read and written (${message}): the connector's user needs read and write access to it, its -wal and -shm files and its folder.`);
  }
  return new DurableStateError(file, `${file}: ${message} (${code})`);
}

/** What was last written for one instance: its record object, input value, generation and history length. */
interface Persisted {
  readonly record: InstanceRecord;
  readonly input: unknown;
  readonly generation: number;
  readonly historyLength: number;
}

/** The SQLite store. Construct with {@link SqliteStore.open}. */
export class SqliteStore implements DurableStore {
  private readonly dirtyInstances = new Set<string>();
  private readonly dirtyEntities = new Set<string>();
  private readonly persisted = new Map<string, Persisted>();
  private pending: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly counters = { transactions: 0, rowsWritten: 0, payloadBytes: 0, largestTransactionBytes: 0 };
  private readonly sql: {
    putInstance: Statement; updateInstance: Statement; deleteInstance: Statement; putEvents: Statement; deleteHistory: Statement;
    putEntity: Statement; deleteEntity: Statement;
  };
  private readonly writeChanges: () => void;

  private constructor(private readonly db: Database, readonly file: string, private readonly source: RecordSource, private readonly options: SqliteStoreOptions) {
    this.sql = {
      putInstance: db.prepare("INSERT INTO instances (instance_id, generation, input, record) VALUES (?, ?, ?, ?) ON CONFLICT (instance_id) DO UPDATE SET generation = excluded.generation, input = excluded.input, record = excluded.record"),
      updateInstance: db.prepare("UPDATE instances SET record = ? WHERE instance_id = ?"),
      deleteInstance: db.prepare("DELETE FROM instances WHERE instance_id = ?"),
      putEvents: db.prepare("INSERT OR REPLACE INTO history (instance_id, position, event) VALUES (?, ?, ?)"),
      deleteHistory: db.prepare("DELETE FROM history WHERE instance_id = ?"),
      putEntity: db.prepare("INSERT INTO entities (entity_id, record) VALUES (?, ?) ON CONFLICT (entity_id) DO UPDATE SET record = excluded.record"),
      deleteEntity: db.prepare("DELETE FROM entities WHERE entity_id = ?"),
    };
    this.writeChanges = db.transaction(() => this.writeDirty());
  }

  /**
   * Opens (or creates) the database at `file`, reading current records from `source` when told
   * they changed. On a new database, imports `options.legacyJsonFile` if it exists and renames it
   * to `<name>.migrated`. Throws {@link DurableStateError} (nothing written) for an unreadable
   * legacy file or a database of a newer schema.
   */
  static open(file: string, source: RecordSource, options: SqliteStoreOptions = {}): SqliteStore {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const existed = fs.existsSync(file);
    const db = openDatabase(file);
    try {
      db.pragma("page_size = 1024");
      // One host per data folder: a second process on the same state would run every collector twice.
      db.pragma("locking_mode = EXCLUSIVE");
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      // Keep the write-ahead log from staying at its largest size after a checkpoint.
      db.pragma("journal_size_limit = 4194304");
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS instances (instance_id TEXT PRIMARY KEY, generation INTEGER NOT NULL, input TEXT NOT NULL, record TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS history (instance_id TEXT NOT NULL, position INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (instance_id, position)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS entities (entity_id TEXT PRIMARY KEY, record TEXT NOT NULL);
      `);
      const schema = (db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined)?.value;
      // Only a missing file starts empty: an existing one without state lost it (emptied, or its
      // write-ahead log removed after a crash), and starting over would collect everything again.
      if (schema === undefined && existed) throw new DurableStateError(file, `${file} holds no durable state: the file is empty or its write-ahead log (${path.basename(file)}-wal) was removed. Starting empty would collect every collector's data again; restore the file (and its -wal) from a backup, or move it away to start with empty state.`);
      if (schema !== undefined && Number(schema) > SCHEMA_VERSION) throw new DurableStateError(file, `${file} was written by a newer version of the connector (schema ${schema}, this one reads ${SCHEMA_VERSION}).`);
      const store = new SqliteStore(db, file, source, options);
      if (schema === undefined) store.initialize();
      else {
        if (Number(schema) < SCHEMA_VERSION) db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(String(SCHEMA_VERSION));
        store.noteLegacyLeftAlone();
      }
      return store;
    } catch (error) {
      db.close();
      // A database this start created is removed again, so the next start is a first start too.
      if (!existed && (error as { code?: unknown }).code !== "SQLITE_BUSY") for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      throw sqliteOpenFailure(file, error);
    }
  }

  get stats(): StoreStats {
    return { ...this.counters };
  }

  /**
   * A legacy JSON file beside a database that already holds state is not imported (the database
   * is newer than any file the old host wrote); says so once per start, so it is not mistaken
   * for state in use.
   */
  private noteLegacyLeftAlone(): void {
    const legacy = this.options.legacyJsonFile;
    if (legacy && fs.existsSync(legacy)) this.options.log?.(`${legacy} was not imported: ${this.file} already holds the durable state, which is what runs. Move the old file away to stop this message.`);
  }

  /** Creates the meta rows, importing the legacy JSON state in the same transaction. */
  private initialize(): void {
    const legacy = this.options.legacyJsonFile;
    const snapshot = legacy && fs.existsSync(legacy) ? readLegacyState(legacy) : undefined;
    this.db.transaction(() => {
      const meta = this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
      meta.run("schema", String(SCHEMA_VERSION));
      if (snapshot && legacy) {
        meta.run("migratedFrom", legacy);
        for (const r of snapshot.instances) this.writeInstance(r);
        for (const e of snapshot.entities) this.writeEntity(entityKey(e.name, e.key), e);
      }
    })();
    if (snapshot && legacy) {
      fs.renameSync(legacy, `${legacy}.migrated`);
      this.options.log?.(`migrated ${snapshot.instances.length} instance(s) and ${snapshot.entities.length} entit(ies) from ${legacy} into ${this.file}; the old file is now ${legacy}.migrated`);
    }
    this.persisted.clear();
  }

  /**
   * Size of the database: pages in use and free (bytes = pages × pageSize), history rows (each a
   * run of events), and the
   * write-ahead log file's current size in bytes.
   */
  footprint(): { pageSize: number; pages: number; freePages: number; historyRows: number; walBytes: number } {
    const pageSize = this.db.pragma("page_size", { simple: true }) as number;
    const pages = this.db.pragma("page_count", { simple: true }) as number;
    const freePages = this.db.pragma("freelist_count", { simple: true }) as number;
    const historyRows = (this.db.prepare("SELECT count(*) AS n FROM history").get() as { n: number }).n;
    const wal = `${this.file}-wal`;
    return { pageSize, pages, freePages, historyRows, walBytes: fs.existsSync(wal) ? fs.statSync(wal).size : 0 };
  }

  load(): HostSnapshot | undefined {
    const instances = this.db.prepare("SELECT instance_id, input, record FROM instances ORDER BY instance_id").all() as Array<{ instance_id: string; input: string; record: string }>;
    const entities = this.db.prepare("SELECT record FROM entities ORDER BY entity_id").all() as Array<{ record: string }>;
    if (instances.length === 0 && entities.length === 0) return undefined;
    const histories = new Map<string, HistoryEvent[]>();
    for (const row of this.db.prepare("SELECT instance_id, event FROM history ORDER BY instance_id, position").iterate() as Iterable<{ instance_id: string; event: string }>) {
      const list = histories.get(row.instance_id) ?? [];
      const events = JSON.parse(row.event) as HistoryEvent | HistoryEvent[];
      // Schema 2 rows hold runs of events; schema 1 rows one event each.
      if (Array.isArray(events)) list.push(...events);
      else list.push(events);
      histories.set(row.instance_id, list);
    }
    const records = instances.map((row) => {
      const record = { ...(JSON.parse(row.record) as Omit<InstanceRecord, "history" | "input">), input: JSON.parse(row.input) as unknown, history: histories.get(row.instance_id) ?? [] };
      this.persisted.set(record.instanceId, { record, input: record.input, generation: record.generation, historyLength: record.history.length });
      return record;
    });
    return { version: 1, instances: records, entities: entities.map((row) => JSON.parse(row.record) as EntityRecord) };
  }

  changed(change: HostChange, urgent: boolean): void {
    if (this.closed) return;
    if ("instanceId" in change) this.dirtyInstances.add(change.instanceId);
    else this.dirtyEntities.add(change.entityId);
    if (urgent) this.flush();
    else this.pending ??= setTimeout(() => this.flush(), this.options.writeIntervalMs ?? DEFAULT_WRITE_INTERVAL_MS);
  }

  flush(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    if (this.closed || (this.dirtyInstances.size === 0 && this.dirtyEntities.size === 0)) return;
    const before = this.counters.payloadBytes;
    this.writeChanges();
    this.counters.transactions++;
    this.counters.largestTransactionBytes = Math.max(this.counters.largestTransactionBytes, this.counters.payloadBytes - before);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private writeDirty(): void {
    for (const id of this.dirtyInstances) {
      const record = this.source.instance(id);
      if (record) this.writeInstance(record);
      else {
        this.count(this.sql.deleteInstance.run(id).changes + this.sql.deleteHistory.run(id).changes, 0);
        this.persisted.delete(id);
      }
    }
    for (const id of this.dirtyEntities) {
      const record = this.source.entity(id);
      if (record) this.writeEntity(id, record);
      else this.count(this.sql.deleteEntity.run(id).changes, 0);
    }
    this.dirtyInstances.clear();
    this.dirtyEntities.clear();
  }

  /**
   * Writes one instance: its record without history and input, the input when it is a new value
   * (the host sets it with each generation), and the history events not written yet, as one row
   * (a JSON array) keyed by the position of its first event. A generation's history only grows,
   * so the rows written before are kept; a new generation, a shorter history or a different
   * record object (purged and started again) rewrites it.
   */
  private writeInstance(record: InstanceRecord): void {
    const { history, input, ...rest } = record;
    const text = JSON.stringify(rest);
    const before = this.persisted.get(record.instanceId);
    const sameGeneration = before !== undefined && before.record === record && before.generation === record.generation;
    if (sameGeneration && before.input === input) {
      this.sql.updateInstance.run(text, record.instanceId);
      this.count(1, Buffer.byteLength(text));
    } else {
      const inputText = JSON.stringify(input ?? null);
      this.sql.putInstance.run(record.instanceId, record.generation, inputText, text);
      this.count(1, Buffer.byteLength(text) + Buffer.byteLength(inputText));
    }
    let from = 0;
    if (sameGeneration && before.historyLength <= history.length) from = before.historyLength;
    else this.count(this.sql.deleteHistory.run(record.instanceId).changes, 0);
    if (from < history.length) {
      // One row per write: a row per event made each commit cost several times more (issue 18).
      const events = `[${history.slice(from).map(eventJson).join(",")}]`;
      this.sql.putEvents.run(record.instanceId, from, events);
      this.count(1, Buffer.byteLength(events));
    }
    this.persisted.set(record.instanceId, { record, input, generation: record.generation, historyLength: history.length });
  }

  private writeEntity(id: string, record: EntityRecord): void {
    const text = JSON.stringify(record);
    this.sql.putEntity.run(id, text);
    this.count(1, Buffer.byteLength(text));
  }

  private count(rows: number, bytes: number): void {
    this.counters.rowsWritten += rows;
    this.counters.payloadBytes += bytes;
  }
}
