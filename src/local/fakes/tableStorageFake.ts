/**
 * A local Azure Table service over HTTPS for the operations the delivered-id ledger uses through
 * the real `@azure/data-tables` client: create table, upsert (PUT) an entity, query with a
 * `$filter` of `PartitionKey`/`RowKey` comparisons joined by `and` (plus `$select`, `$top` and
 * continuation headers), and delete an entity. Bearer token required.
 *
 * Entities live in SQLite (better-sqlite3), keyed like the service: (table, PartitionKey, RowKey),
 * so a query is an index range scan in key order, as the service returns it, and a write touches
 * one row. In memory by default; with `file`, in that database (WAL, `synchronous=NORMAL`: every
 * committed write survives a process crash), so `npm start` keeps the ledger across restarts
 * without rewriting it whole. A data folder that still has the JSON file the earlier fake wrote
 * is imported once (`importFrom`), in one transaction, and the file is renamed `*.imported`.
 * Key order is SQLite's BINARY collation (UTF-8 bytes), the same as the service's for the
 * ASCII keys the ledger writes.
 */
import fs from "node:fs";
import type http from "node:http";
import type BetterSqlite3 from "better-sqlite3";
import { openDatabase, sqliteOpenFailure } from "../durable/sqliteStore";
import { bearer, listen, readBody, sendJson, type RunningServer } from "./server";
import type { TestTls } from "./tls";

/** Construction options. */
export interface TableStorageFakeOptions {
  readonly tls: TestTls;
  readonly token: string;
  /** Keep tables in this SQLite database file (created when missing); in memory without it. */
  readonly file?: string;
  /** A JSON file of `{ table: Entity[] }` (the earlier fake's format) imported once into a new `file`. */
  readonly importFrom?: string;
  /** Rows per query page (the service's is 1,000). */
  readonly pageSize?: number;
  readonly port?: number;
}

type Entity = Record<string, unknown> & { PartitionKey: string; RowKey: string };
type Comparison = { field: "PartitionKey" | "RowKey"; op: string; value: string };

const SQL_OPERATOR: Record<string, string> = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };

function odataError(code: string, message: string) {
  return { "odata.error": { code, message: { lang: "en-US", value: message } } };
}

/** Parses `A op 'v' and B op 'v' …`; undefined for anything else. */
export function parseFilter(filter: string): Comparison[] | undefined {
  const parts = filter.split(/\s+and\s+/);
  const out: Comparison[] = [];
  for (const part of parts) {
    const m = /^\(?\s*(PartitionKey|RowKey)\s+(eq|ne|gt|ge|lt|le)\s+'((?:[^']|'')*)'\s*\)?$/.exec(part.trim());
    if (!m) return undefined;
    out.push({ field: m[1] as Comparison["field"], op: m[2]!, value: m[3]!.replace(/''/g, "'") });
  }
  return out;
}

/** The running fake. */
export class TableStorageFake {
  private readonly db: BetterSqlite3.Database;
  private readonly statements: {
    hasTable: BetterSqlite3.Statement; addTable: BetterSqlite3.Statement; upsert: BetterSqlite3.Statement; remove: BetterSqlite3.Statement; all: BetterSqlite3.Statement;
  };
  private readonly queries = new Map<string, BetterSqlite3.Statement>();
  private server: RunningServer | undefined;
  /** Requests by kind, for reports. */
  readonly stats = { queries: 0, upserts: 0, deletes: 0 };

  /** @throws DurableStateError (src/local/durable/store.ts) when the database cannot be opened. */
  constructor(private readonly options: TableStorageFakeOptions) {
    const isNew = !options.file || !fs.existsSync(options.file);
    this.db = openDatabase(options.file ?? ":memory:");
    try {
      this.prepare(options.file);
    } catch (error) {
      this.db.close();
      throw sqliteOpenFailure(options.file ?? ":memory:", error);
    }
    this.statements = {
      hasTable: this.db.prepare("SELECT 1 FROM tables WHERE name = ?").pluck(),
      addTable: this.db.prepare("INSERT INTO tables (name) VALUES (?)"),
      upsert: this.db.prepare("INSERT INTO entities (tbl, pk, rk, body) VALUES (?, ?, ?, ?) ON CONFLICT (tbl, pk, rk) DO UPDATE SET body = excluded.body"),
      remove: this.db.prepare("DELETE FROM entities WHERE tbl = ? AND pk = ? AND rk = ?"),
      all: this.db.prepare("SELECT body FROM entities WHERE tbl = ? ORDER BY pk, rk").pluck(),
    };
    if (isNew && options.file && options.importFrom && fs.existsSync(options.importFrom)) this.importJson(options.importFrom);
  }

  /** Journal mode and tables (the first reads and writes of the file). */
  private prepare(file: string | undefined): void {
    if (file) {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
    }
    this.db.exec("CREATE TABLE IF NOT EXISTS tables (name TEXT PRIMARY KEY) WITHOUT ROWID; CREATE TABLE IF NOT EXISTS entities (tbl TEXT NOT NULL, pk TEXT NOT NULL, rk TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (tbl, pk, rk)) WITHOUT ROWID;");
  }

  private importJson(from: string): void {
    const saved = JSON.parse(fs.readFileSync(from, "utf8")) as Record<string, Entity[]>;
    this.db.transaction(() => {
      for (const [name, rows] of Object.entries(saved)) {
        this.statements.addTable.run(name);
        for (const e of rows) this.statements.upsert.run(name, e.PartitionKey, e.RowKey, JSON.stringify(e));
      }
    })();
    fs.renameSync(from, `${from}.imported`);
  }

  /** Table service URI. */
  get url(): string {
    if (!this.server) throw new Error("fake not started");
    return this.server.url;
  }

  async start(): Promise<this> {
    this.server = await listen((req, res) => void this.handle(req, res), this.options.tls, this.options.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.db.close();
  }

  /** Rows of a table, in key order (tests). */
  rows(table: string): Entity[] {
    return (this.statements.all.all(table) as string[]).map((body) => JSON.parse(body) as Entity);
  }

  /** Up to `limit` entities of `table` that satisfy every comparison and come at or after the continuation keys, in key order. */
  private query(table: string, comparisons: readonly Comparison[], next: { pk: string; rk: string } | null, limit: number): Entity[] {
    const where = ["tbl = ?", ...comparisons.map((c) => `${c.field === "PartitionKey" ? "pk" : "rk"} ${SQL_OPERATOR[c.op]} ?`), ...(next ? ["(pk > ? OR (pk = ? AND rk >= ?))"] : [])];
    const sql = `SELECT body FROM entities WHERE ${where.join(" AND ")} ORDER BY pk, rk LIMIT ?`;
    let statement = this.queries.get(sql);
    if (!statement) this.queries.set(sql, (statement = this.db.prepare(sql).pluck()));
    const params = [table, ...comparisons.map((c) => c.value), ...(next ? [next.pk, next.pk, next.rk] : []), limit];
    return (statement.all(...params) as string[]).map((body) => JSON.parse(body) as Entity);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { text } = await readBody(req);
    const url = new URL(req.url ?? "/", "https://fake");
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      if (body === undefined) { res.writeHead(status, headers); res.end(); return; }
      sendJson(req, res, status, body, headers);
    };
    if (bearer(req) !== this.options.token) return reply(403, odataError("AuthorizationFailure", "This request is not authorized to perform this operation."));
    const path = decodeURIComponent(url.pathname);
    if (req.method === "POST" && path === "/Tables") {
      const name = (JSON.parse(text || "{}") as { TableName?: string }).TableName ?? "";
      if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(name)) return reply(400, odataError("InvalidResourceName", "The specifed resource name contains invalid characters."));
      if (this.statements.hasTable.get(name)) return reply(409, odataError("TableAlreadyExists", "The table specified already exists."));
      this.statements.addTable.run(name);
      return reply(204, undefined, { "preference-applied": "return-no-content" });
    }
    const one = /^\/([A-Za-z0-9]+)\(PartitionKey='((?:[^']|'')*)',\s*RowKey='((?:[^']|'')*)'\)$/.exec(path);
    const many = /^\/([A-Za-z0-9]+)\(\)$/.exec(path);
    const table = (one ?? many)?.[1] ?? "";
    if (!this.statements.hasTable.get(table)) return reply(404, odataError("TableNotFound", "The table specified does not exist."));
    if (one) {
      const [pk, rk] = [one[2]!.replace(/''/g, "'"), one[3]!.replace(/''/g, "'")];
      if (req.method === "PUT") {
        const body = JSON.parse(text) as Record<string, unknown>;
        const timestamp = new Date().toISOString();
        this.statements.upsert.run(table, pk, rk, JSON.stringify({ ...body, PartitionKey: pk, RowKey: rk, Timestamp: timestamp }));
        this.stats.upserts++;
        return reply(204, undefined, { etag: `W/"datetime'${encodeURIComponent(timestamp)}'"` });
      }
      if (req.method === "DELETE") {
        this.stats.deletes++;
        if (this.statements.remove.run(table, pk, rk).changes === 0) return reply(404, odataError("ResourceNotFound", "The specified resource does not exist."));
        return reply(204);
      }
    }
    if (many && req.method === "GET") {
      this.stats.queries++;
      const filter = url.searchParams.get("$filter");
      const comparisons = filter ? parseFilter(filter) : [];
      if (!comparisons) return reply(501, odataError("NotImplemented", `filter not supported by the fake: ${filter}`));
      const select = url.searchParams.get("$select")?.split(",");
      const top = Math.min(Number(url.searchParams.get("$top") ?? 1000), this.options.pageSize ?? 1000);
      const nextPk = url.searchParams.get("NextPartitionKey"), nextRk = url.searchParams.get("NextRowKey");
      const found = this.query(table, comparisons, nextPk === null ? null : { pk: nextPk, rk: nextRk ?? "" }, top + 1);
      const page = found.slice(0, top);
      const after = found[top];
      const value = page.map((e) => (select ? Object.fromEntries(Object.entries(e).filter(([k]) => select.includes(k) || k === "PartitionKey" || k === "RowKey")) : e));
      return reply(200, { value }, after ? { "x-ms-continuation-NextPartitionKey": after.PartitionKey, "x-ms-continuation-NextRowKey": after.RowKey } : {});
    }
    return reply(400, odataError("InvalidInput", `unsupported request ${req.method} ${path}`));
  }
}
