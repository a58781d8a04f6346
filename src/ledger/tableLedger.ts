/**
 * {@link DeliveredLedger} on Azure Table storage with the real SDK (`@azure/data-tables`), in the
 * Functions storage account (`AzureWebJobsStorage__tableServiceUri`, identity-based; the
 * deployment grants the app *Storage Table Data Contributor*). One row per bucket and page:
 * PartitionKey `<collectorId>.<scope>`, RowKey `<bucket start, 11 digits>-<content digest>`,
 * property `Ids` = the concatenated 10-character digests (≤ 100 per page, far under the 64 KiB
 * property limit).
 */
import type { TokenCredential } from "@azure/core-auth";
import { odata, TableClient } from "@azure/data-tables";
import { bucketPrefix, digestsOf, LedgerError, ledgerRows, partitionOf, type DeliveredLedger, type LedgerEntry, type LedgerKey, type LedgerOptions } from "./deliveredLedger";

/** The table that holds the ledger. */
export const LEDGER_TABLE = "OpenAIDeliveredIds";

/** Construction options. */
export interface TableLedgerOptions {
  /** Extra CA certificates to trust (local fakes). */
  readonly ca?: string;
  readonly tableName?: string;
  readonly retryDelayInMs?: number;
}

/** The ledger over one Table service endpoint. One instance per process. */
export class TableLedger implements DeliveredLedger {
  private readonly client: TableClient;
  private created: Promise<void> | undefined;

  /**
   * `target` is the Table service URI (e.g. `https://<account>.table.core.windows.net`) used with
   * `credential`, or a storage connection string (e.g. Azurite's `UseDevelopmentStorage=true`).
   */
  constructor(target: { readonly endpoint: string; readonly credential: TokenCredential } | { readonly connectionString: string }, options: TableLedgerOptions = {}) {
    const clientOptions = {
      retryOptions: { maxRetries: 3, retryDelayInMs: options.retryDelayInMs ?? 500 },
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
    };
    const table = options.tableName ?? LEDGER_TABLE;
    this.client = "connectionString" in target
      ? TableClient.fromConnectionString(target.connectionString, table, { ...clientOptions, allowInsecureConnection: /UseDevelopmentStorage=true|DefaultEndpointsProtocol=http;/i.test(target.connectionString) })
      : new TableClient(target.endpoint, table, target.credential, clientOptions);
  }

  private ensureTable(options: LedgerOptions): Promise<void> {
    // createTable ignores TableAlreadyExists; a failure is retried on the next call.
    this.created ??= this.client.createTable(options.abortSignal ? { abortSignal: options.abortSignal } : {}).catch((error: unknown) => { this.created = undefined; throw error; });
    return this.created;
  }

  /** Runs a storage call, turning its failure into a {@link LedgerError} (status and code only; no request details). */
  private async guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const e = error as { statusCode?: number; code?: string; message?: string };
      throw new LedgerError(`delivered-id ledger (Table storage) ${what} failed: ${e.statusCode ?? ""} ${e.code ?? ""} ${(e.message ?? "").split("\n")[0]?.slice(0, 300) ?? ""}`.replace(/\s+/g, " ").trim());
    }
  }

  delivered(key: LedgerKey, gte: number, lt: number, options: LedgerOptions = {}): Promise<Set<string>> {
    return this.guarded("read", () => this.read(key, gte, lt, options));
  }

  record(key: LedgerKey, entries: readonly LedgerEntry[], options: LedgerOptions = {}): Promise<void> {
    return this.guarded("write", () => this.write(key, entries, options));
  }

  prune(key: LedgerKey, before: number, options: LedgerOptions = {}): Promise<number> {
    return this.guarded("prune", () => this.forget(key, before, options));
  }

  pruneAndRead(key: LedgerKey, before: number, gte: number, lt: number, options: LedgerOptions = {}): Promise<{ delivered: Set<string>; pruned: number }> {
    return this.guarded("prune and read", async () => {
      await this.ensureTable(options);
      const partitionKey = partitionOf(key);
      const floor = bucketPrefix(before), from = bucketPrefix(gte), to = bucketPrefix(Math.max(gte, lt - 1));
      // Everything of the partition below the window's end: the rows to forget and the window's rows.
      const filter = odata`PartitionKey eq ${partitionKey} and RowKey lt ${`${to}~`}`;
      const forget: string[] = [];
      const delivered = new Set<string>();
      for await (const row of this.client.listEntities<{ Ids?: string }>({ queryOptions: { filter, select: ["RowKey", "Ids"] }, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) })) {
        const rowKey = row.rowKey!;
        if (rowKey < floor) forget.push(rowKey);
        else if (rowKey >= from) for (const d of digestsOf(row.Ids ?? "")) delivered.add(d);
      }
      await Promise.all(forget.map((rowKey) => this.client.deleteEntity(partitionKey, rowKey, options.abortSignal ? { abortSignal: options.abortSignal } : {})));
      return { delivered, pruned: forget.length };
    });
  }

  private async read(key: LedgerKey, gte: number, lt: number, options: LedgerOptions): Promise<Set<string>> {
    await this.ensureTable(options);
    const from = bucketPrefix(gte);
    const to = bucketPrefix(Math.max(gte, lt - 1));
    // Row keys of buckets from..to all start with a prefix in [from, to]; "~" sorts after the "-" that follows it.
    const filter = odata`PartitionKey eq ${partitionOf(key)} and RowKey ge ${from} and RowKey lt ${`${to}~`}`;
    const out = new Set<string>();
    for await (const row of this.client.listEntities<{ Ids?: string }>({ queryOptions: { filter, select: ["Ids"] }, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) })) {
      for (const d of digestsOf(row.Ids ?? "")) out.add(d);
    }
    return out;
  }

  private async write(key: LedgerKey, entries: readonly LedgerEntry[], options: LedgerOptions): Promise<void> {
    if (entries.length === 0) return;
    await this.ensureTable(options);
    const partitionKey = partitionOf(key);
    await Promise.all(ledgerRows(entries).map((row) =>
      this.client.upsertEntity({ partitionKey, rowKey: row.rowKey, Ids: row.digests }, "Replace", options.abortSignal ? { abortSignal: options.abortSignal } : {})));
  }

  private async forget(key: LedgerKey, before: number, options: LedgerOptions): Promise<number> {
    await this.ensureTable(options);
    const partitionKey = partitionOf(key);
    // Rows of buckets that start before the bucket holding `before` end at or before it.
    const filter = odata`PartitionKey eq ${partitionKey} and RowKey lt ${bucketPrefix(before)}`;
    const keys: string[] = [];
    for await (const row of this.client.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) keys.push(row.rowKey!);
    await Promise.all(keys.map((rowKey) => this.client.deleteEntity(partitionKey, rowKey, options.abortSignal ? { abortSignal: options.abortSignal } : {})));
    return keys.length;
  }
}
