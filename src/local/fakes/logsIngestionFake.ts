/**
 * A local Azure Monitor Logs Ingestion endpoint over HTTPS, strict where the service is strict:
 * bearer token required, gzip bodies, 413 over 1,000,000 bytes, only declared DCR and streams,
 * rows checked against the stream's columns. Accepted rows (or only their ids) are kept when a
 * test or benchmark asks; by default only counts, so a long-running host stays flat.
 */
import type http from "node:http";
import { parseJsonExact } from "../../json/exactJson";
import { checkRow, type TableSchema } from "../../schema/tables";
import { bearer, listen, readBody, sendJson, type RunningServer } from "./server";
import type { TestTls } from "./tls";

/** The request size limit of the real service. */
export const MAX_REQUEST_BYTES = 1_000_000;

/** A fault for the next upload(s). */
export interface IngestionFault {
  readonly status: number;
  readonly retryAfterSeconds?: number;
  readonly code?: string;
  readonly message?: string;
}

/** Construction options. */
export interface LogsIngestionFakeOptions {
  readonly tls: TestTls;
  readonly dcrImmutableId: string;
  readonly tables: readonly TableSchema[];
  /** Bearer token the fake accepts. */
  readonly token: string;
  readonly port?: number;
  /** Called with every accepted batch. */
  readonly onRows?: (stream: string, rows: Record<string, unknown>[]) => void;
  /**
   * What to keep of accepted rows: whole rows (tests' assertions), their ids (distinct and
   * duplicate counts, benchmarks), or nothing but `stats` (default: `npm start`, which writes
   * rows to files through `onRows`).
   */
  readonly retain?: "rows" | "ids" | "counts";
}

/** The running fake. */
export class LogsIngestionFake {
  /** Accepted rows per stream, in arrival order (`retain: "rows"`). */
  readonly accepted = new Map<string, Record<string, unknown>[]>();
  /** Distinct ids accepted per stream, and how many arrived more than once (`retain` "rows" or "ids"). */
  readonly ids = new Map<string, Set<string>>();
  readonly duplicates = new Map<string, number>();
  readonly stats = { requests: 0, accepted: 0, rejected: 0, bytesCompressed: 0, bytesUncompressed: 0 };
  /** Per coming upload: a fault, or null for one that is handled normally. */
  private readonly faults: Array<IngestionFault | null> = [];
  /** Called with the decompressed text of every upload body (tests read the exact JSON sent). */
  onBody: ((text: string) => void) | undefined;
  private server: RunningServer | undefined;

  constructor(private readonly options: LogsIngestionFakeOptions) {}

  get endpoint(): string {
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

  /** Rows accepted on a stream. */
  rows(stream: string): Record<string, unknown>[] {
    return this.accepted.get(stream) ?? [];
  }

  /** Queues faults for the next uploads, after `afterUploads` that are handled normally. */
  injectFault(fault: IngestionFault, times = 1, afterUploads = 0): void {
    for (let i = 0; i < afterUploads; i++) this.faults.push(null);
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      this.stats.rejected++;
      sendJson(req, res, status, { error: { code, message } }, { "x-ms-error-code": code, ...headers });
    };
    const url = new URL(req.url ?? "/", "https://fake");
    const match = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname);
    if (req.method !== "POST" || !match) return fail(404, "NotFound", `No route for ${req.method} ${url.pathname}`);
    if (url.searchParams.get("api-version") !== "2023-01-01") return fail(400, "InvalidApiVersion", "api-version 2023-01-01 is required");
    if (bearer(req) !== this.options.token) return fail(401, "InvalidToken", "The provided authentication token is invalid or missing.");
    const [, ruleId, streamRaw] = match;
    const stream = decodeURIComponent(streamRaw!);
    if (ruleId !== this.options.dcrImmutableId) return fail(404, "NotFound", `Data collection rule with immutable Id '${ruleId}' not found.`);
    const table = this.options.tables.find((t) => t.streamName === stream);
    if (!table) return fail(404, "InvalidStream", `Stream ${stream} is not declared in data collection rule ${ruleId}.`);

    const fault = this.faults.shift();
    let body: { raw: Buffer; text: string };
    try {
      body = await readBody(req);
    } catch {
      return fail(400, "InvalidContentEncoding", "Body could not be decompressed.");
    }
    this.onBody?.(body.text);
    this.stats.bytesCompressed += body.raw.length;
    this.stats.bytesUncompressed += Buffer.byteLength(body.text);
    if (fault) return fail(fault.status, fault.code ?? "Injected", fault.message ?? "injected fault", fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {});
    if (body.raw.length > MAX_REQUEST_BYTES || Buffer.byteLength(body.text) > MAX_REQUEST_BYTES) return fail(413, "ContentLengthLimitExceeded", "Maximum allowed content length: 1048576 bytes (1 MB).");
    let rows: unknown;
    try {
      rows = parseJsonExact(body.text);
    } catch {
      return fail(400, "InvalidJson", "The request body is not valid JSON.");
    }
    if (!Array.isArray(rows)) return fail(400, "InvalidPayload", "The request body must be a JSON array.");
    for (const [i, row] of rows.entries()) {
      const problems = checkRow(table, row as Record<string, unknown>);
      if (problems.length > 0) return fail(400, "InvalidRow", `row ${i}: ${problems.map((p) => `${p.column} ${p.problem}`).join("; ")}`);
    }
    const retain = this.options.retain ?? "counts";
    if (retain !== "counts") {
      const ids = this.ids.get(stream) ?? new Set<string>();
      for (const row of rows as Array<{ Id?: string; EventId?: string }>) {
        const id = String(row.Id ?? row.EventId);
        if (ids.has(id)) this.duplicates.set(stream, (this.duplicates.get(stream) ?? 0) + 1);
        ids.add(id);
      }
      this.ids.set(stream, ids);
    }
    if (retain === "rows") {
      const kept = this.accepted.get(stream) ?? [];
      for (const row of rows as Record<string, unknown>[]) kept.push(row);
      this.accepted.set(stream, kept);
    }
    this.stats.accepted += rows.length;
    this.options.onRows?.(stream, rows as Record<string, unknown>[]);
    res.writeHead(204).end();
  }
}
