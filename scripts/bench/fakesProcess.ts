/**
 * Benchmark child process: the OpenAI mock (plain HTTP, with latency and an optional rate cap) and
 * the Logs Ingestion fake (HTTPS, keeping ids only), holding the whole dataset so the connector's
 * own memory and CPU can be measured apart. Talks to the parent over IPC.
 */
import { LogsIngestionFake } from "../../src/local/fakes/logsIngestionFake";
import { OpenAIMock } from "../../src/local/fakes/openaiMock";
import { TableStorageFake } from "../../src/local/fakes/tableStorageFake";
import { generateAuditEvents, generateCompletions } from "../../src/local/fakes/generate";
import { testTls } from "../../src/local/fakes/tls";
import { LOCAL_AZURE_TOKEN, LOCAL_DCR_ID } from "../../src/local/fakeEnvironment";
import { TABLES } from "../../src/schema/tables";
import type { AuditLogEvent, ChatCompletion } from "../../src/openai/types";

/** What the parent asks for. */
export interface FakesConfig {
  readonly audit: number;
  readonly completions: number;
  readonly latencyMs: number;
  readonly rateLimitPerSecond: number | null;
  /** Data spans [now − spanDays, now − 10 min). */
  readonly spanDays: number;
  readonly nowSeconds: number;
}

/** What the child reports. */
export interface FakesStats {
  readonly openaiRequests: number;
  readonly openaiOk: Record<string, number>;
  readonly throttled: number;
  readonly ingestion: { requests: number; bytesCompressed: number; bytesUncompressed: number; rows: number };
  /** Rows accepted per stream. */
  readonly rowsByStream: Record<string, number>;
  readonly unique: Record<string, number>;
  readonly duplicates: Record<string, number>;
  readonly cpuMs: number;
  readonly rssMb: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_FAKES ?? "{}") as FakesConfig;
  const tls = await testTls();
  const from = config.nowSeconds - config.spanDays * 86_400;
  const to = config.nowSeconds - 600;
  const mock = await new OpenAIMock({ adminKey: "bench-admin-key-0001", projectKey: "bench-project-key-0002", latencyMs: config.latencyMs, ...(config.rateLimitPerSecond ? { rateLimitPerSecond: config.rateLimitPerSecond } : {}) }).start();
  // Generate in chunks so the generator's own garbage does not pile up.
  for (let i = 0; i < config.audit; i += 50_000) mock.addAuditEvents(generateAuditEvents(Math.min(50_000, config.audit - i), from + Math.floor(((to - from) * i) / Math.max(1, config.audit)), from + Math.floor(((to - from) * Math.min(config.audit, i + 50_000)) / Math.max(1, config.audit)), 9_000 + i));
  for (let i = 0; i < config.completions; i += 50_000) mock.addCompletions(generateCompletions(Math.min(50_000, config.completions - i), from + Math.floor(((to - from) * i) / Math.max(1, config.completions)), from + Math.floor(((to - from) * Math.min(config.completions, i + 50_000)) / Math.max(1, config.completions)), 19_000 + i));
  mock.auditIds();
  mock.completionIds();
  const rowsByStream: Record<string, number> = {};
  const ingestion = await new LogsIngestionFake({ tls, dcrImmutableId: LOCAL_DCR_ID, tables: TABLES, token: LOCAL_AZURE_TOKEN, retain: "ids", onRows: (stream, rows) => { rowsByStream[stream] = (rowsByStream[stream] ?? 0) + rows.length; } }).start();
  const tables = await new TableStorageFake({ tls, token: LOCAL_AZURE_TOKEN }).start();
  const okByPath: Record<string, number> = {};
  let throttled = 0;
  let served = 0;
  mock.onServed = (r) => {
    served++;
    if (r.status === 200) okByPath[r.path] = (okByPath[r.path] ?? 0) + 1;
    if (r.status === 429) throttled++;
  };
  process.on("message", (message: { cmd: string; audit?: AuditLogEvent[]; completions?: ChatCompletion[] }) => {
    // Arrivals during a run (soak): visible once added; the parent waits for "added".
    if (message.cmd === "add") {
      mock.addAuditEvents(message.audit ?? []);
      mock.addCompletions(message.completions ?? []);
      process.send?.({ cmd: "added" });
      return;
    }
    if (message.cmd !== "stats") return;
    const cpu = process.cpuUsage();
    const stats: FakesStats = {
      openaiRequests: served, openaiOk: okByPath, throttled,
      ingestion: { requests: ingestion.stats.requests, bytesCompressed: ingestion.stats.bytesCompressed, bytesUncompressed: ingestion.stats.bytesUncompressed, rows: ingestion.stats.accepted }, rowsByStream,
      unique: Object.fromEntries([...ingestion.ids].map(([k, v]) => [k, v.size])),
      duplicates: Object.fromEntries(ingestion.duplicates),
      cpuMs: (cpu.user + cpu.system) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20,
    };
    process.send?.({ cmd: "stats", stats });
  });
  process.send?.({ cmd: "ready", openaiUrl: mock.baseUrl, ingestionUrl: ingestion.endpoint, tableUrl: tables.url, ca: tls.ca });
}

void main();
