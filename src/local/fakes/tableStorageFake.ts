/**
 * A local Azure Table service over HTTPS for the operations the delivered-id ledger uses through
 * the real `@azure/data-tables` client: create table, upsert (PUT) an entity, query with a
 * `$filter` of `PartitionKey`/`RowKey` comparisons joined by `and` (plus `$select`, `$top` and
 * continuation headers), and delete an entity. Bearer token required. Optionally persisted to a
 * JSON file so `npm start` keeps the ledger across restarts like its durable state.
 */
import fs from "node:fs";
import type http from "node:http";
import { bearer, listen, readBody, sendJson, type RunningServer } from "./server";
import type { TestTls } from "./tls";

/** Construction options. */
export interface TableStorageFakeOptions {
  readonly tls: TestTls;
  readonly token: string;
  /** Keep tables in this JSON file (written after every change). */
  readonly file?: string;
  /** Rows per query page (the service's is 1,000). */
  readonly pageSize?: number;
  readonly port?: number;
}

type Entity = Record<string, unknown> & { PartitionKey: string; RowKey: string };
type Comparison = { field: "PartitionKey" | "RowKey"; op: string; value: string };

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

function holds(entity: Entity, c: Comparison): boolean {
  const v = entity[c.field];
  switch (c.op) {
    case "eq": return v === c.value;
    case "ne": return v !== c.value;
    case "gt": return v > c.value;
    case "ge": return v >= c.value;
    case "lt": return v < c.value;
    default: return v <= c.value;
  }
}

/** The running fake. */
export class TableStorageFake {
  private readonly tables = new Map<string, Map<string, Entity>>();
  private server: RunningServer | undefined;
  /** Requests by kind, for reports. */
  readonly stats = { queries: 0, upserts: 0, deletes: 0 };

  constructor(private readonly options: TableStorageFakeOptions) {
    if (options.file && fs.existsSync(options.file)) {
      const saved = JSON.parse(fs.readFileSync(options.file, "utf8")) as Record<string, Entity[]>;
      for (const [name, rows] of Object.entries(saved)) this.tables.set(name, new Map(rows.map((e) => [`${e.PartitionKey}\u0000${e.RowKey}`, e])));
    }
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
  }

  /** Rows of a table, sorted by keys (tests). */
  rows(table: string): Entity[] {
    return [...(this.tables.get(table)?.values() ?? [])].sort((a, b) => (a.PartitionKey + "\u0000" + a.RowKey < b.PartitionKey + "\u0000" + b.RowKey ? -1 : 1));
  }

  private save(): void {
    if (!this.options.file) return;
    const out: Record<string, Entity[]> = {};
    for (const name of this.tables.keys()) out[name] = this.rows(name);
    fs.writeFileSync(`${this.options.file}.tmp`, JSON.stringify(out));
    fs.renameSync(`${this.options.file}.tmp`, this.options.file);
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
      if (this.tables.has(name)) return reply(409, odataError("TableAlreadyExists", "The table specified already exists."));
      this.tables.set(name, new Map());
      this.save();
      return reply(204, undefined, { "preference-applied": "return-no-content" });
    }
    const one = /^\/([A-Za-z0-9]+)\(PartitionKey='((?:[^']|'')*)',\s*RowKey='((?:[^']|'')*)'\)$/.exec(path);
    const many = /^\/([A-Za-z0-9]+)\(\)$/.exec(path);
    const table = this.tables.get((one ?? many)?.[1] ?? "");
    if (!table) return reply(404, odataError("TableNotFound", "The table specified does not exist."));
    if (one) {
      const [pk, rk] = [one[2]!.replace(/''/g, "'"), one[3]!.replace(/''/g, "'")];
      const id = `${pk}\u0000${rk}`;
      if (req.method === "PUT") {
        const body = JSON.parse(text) as Record<string, unknown>;
        table.set(id, { ...body, PartitionKey: pk, RowKey: rk, Timestamp: new Date().toISOString() });
        this.stats.upserts++;
        this.save();
        return reply(204, undefined, { etag: `W/"datetime'${encodeURIComponent(new Date().toISOString())}'"` });
      }
      if (req.method === "DELETE") {
        this.stats.deletes++;
        if (!table.delete(id)) return reply(404, odataError("ResourceNotFound", "The specified resource does not exist."));
        this.save();
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
      const all = this.rows((one ?? many)[1]!).filter((e) => comparisons.every((c) => holds(e, c)))
        .filter((e) => nextPk === null || e.PartitionKey > nextPk || (e.PartitionKey === nextPk && e.RowKey >= (nextRk ?? "")));
      const page = all.slice(0, top);
      const after = all[top];
      const value = page.map((e) => (select ? Object.fromEntries(Object.entries(e).filter(([k]) => select.includes(k) || k === "PartitionKey" || k === "RowKey")) : e));
      return reply(200, { value }, after ? { "x-ms-continuation-NextPartitionKey": after.PartitionKey, "x-ms-continuation-NextRowKey": after.RowKey } : {});
    }
    return reply(400, odataError("InvalidInput", `unsupported request ${req.method} ${path}`));
  }
}
