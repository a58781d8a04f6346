/**
 * The local stand-ins for OpenAI, Logs Ingestion and Key Vault, started together, with the real
 * clients pointed at them. Used by `npm start` without settings and by the tests.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { CollectDeps } from "../../activities/deps";
import { ComplianceClient } from "../compliance/client";
import { OpenAIClient } from "../openai/client";
import { TABLES } from "../schema/tables";
import { keyVaultReader, SecretCache } from "../secrets/secretCache";
import { SentinelWriter } from "../sentinel/writer";
import { TableLedger } from "../ledger/tableLedger";
import { KeyVaultFake } from "./fakes/keyVaultFake";
import { LogsIngestionFake, type LogsIngestionFakeOptions } from "./fakes/logsIngestionFake";
import { ComplianceMock, type ComplianceMockOptions } from "./fakes/complianceMock";
import { OpenAIMock, type OpenAIMockOptions } from "./fakes/openaiMock";
import { TableStorageFake } from "./fakes/tableStorageFake";
import { testTls, type TestTls } from "./fakes/tls";

/** The DCR id the local Logs Ingestion endpoint accepts. */
export const LOCAL_DCR_ID = "dcr-00000000000000000000000000000001";
/** The Compliance API key the local Compliance API accepts unless told otherwise. */
export const LOCAL_COMPLIANCE_KEY = "local-compliance-key";
/** The bearer token the local Azure services accept. */
export const LOCAL_AZURE_TOKEN = "local-azure-token";

/** A credential that hands out the local token (and records the scopes asked for). */
export function localCredential(token = LOCAL_AZURE_TOKEN, scopes: string[] = []): TokenCredential {
  return { getToken: (s) => { scopes.push(...(Array.isArray(s) ? s : [s])); return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }); } };
}

/** Options of {@link startFakeEnvironment}. */
export interface FakeEnvironmentOptions {
  readonly mock: Omit<OpenAIMockOptions, "tls">;
  /** The local ChatGPT Compliance API (the OpenAI mock's keys are refused there, like Platform keys); default key {@link LOCAL_COMPLIANCE_KEY}. */
  readonly compliance?: Omit<ComplianceMockOptions, "tls" | "now" | "platformKeys">;
  /** Secrets to put in the vault: name → value. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Clock for the clients' caches and row timestamps. */
  readonly now?: () => number;
  /** Sleep used by the OpenAI client's in-call retries (tests shorten it). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** SDK retry delays (tests shorten them). */
  readonly fastRetries?: boolean;
  /** Called with every accepted row batch (npm start writes them to NDJSON). */
  readonly onRows?: (stream: string, rows: Record<string, unknown>[]) => void;
  /** What the Logs Ingestion fake keeps of accepted rows (default: counts only). */
  readonly retain?: LogsIngestionFakeOptions["retain"];
  /** Keep the local Table storage (the delivered-id ledger) in this SQLite database file. */
  readonly tableFile?: string;
  /** The JSON file an earlier version kept the local Table storage in, imported once into a new `tableFile`. */
  readonly tableImportFrom?: string;
}

/** The running fakes and the real clients. */
export interface FakeEnvironment {
  readonly tls: TestTls;
  readonly openai: OpenAIMock;
  /** The Compliance API, served by `openai` under /v1/compliance, and its signed-URL host. */
  readonly compliance: ComplianceMock;
  readonly ingestion: LogsIngestionFake;
  readonly vault: KeyVaultFake;
  /** Local Table storage holding the delivered-id ledger. */
  readonly tables: TableStorageFake;
  readonly endpoints: FakeEndpoints;
  readonly deps: CollectDeps;
  stop(): Promise<void>;
}

/** Starts the fakes and builds the clients the app uses, trusting the generated CA per client. */
export async function startFakeEnvironment(options: FakeEnvironmentOptions): Promise<FakeEnvironment> {
  const tls = await testTls();
  const now = options.now ?? Date.now;
  const openai = await new OpenAIMock({ ...options.mock, tls }).start();
  const compliance = await new ComplianceMock({ complianceKey: LOCAL_COMPLIANCE_KEY, ...options.compliance, tls, platformKeys: [options.mock.adminKey, options.mock.projectKey], ...(options.mock.now ? { now: options.mock.now } : {}) }).start();
  openai.compliance = compliance;
  const ingestion = await new LogsIngestionFake({ tls, dcrImmutableId: LOCAL_DCR_ID, tables: TABLES, token: LOCAL_AZURE_TOKEN, ...(options.onRows ? { onRows: options.onRows } : {}), ...(options.retain ? { retain: options.retain } : {}) }).start();
  const vault = await new KeyVaultFake({ tls, token: LOCAL_AZURE_TOKEN }).start();
  for (const [name, value] of Object.entries(options.secrets)) vault.setSecret(name, value);
  const tables = await new TableStorageFake({ tls, token: LOCAL_AZURE_TOKEN, ...(options.tableFile ? { file: options.tableFile } : {}), ...(options.tableImportFrom ? { importFrom: options.tableImportFrom } : {}) }).start();
  const endpoints: FakeEndpoints = { openaiBaseUrl: openai.baseUrl, ingestionEndpoint: ingestion.endpoint, vaultUrl: vault.url, tableUrl: tables.url, ca: tls.ca };
  const deps = clientsForFakes(endpoints, { now, ...(options.sleep ? { sleep: options.sleep } : {}), ...(options.fastRetries ? { fastRetries: true } : {}) });
  return { tls, openai, compliance, ingestion, vault, tables, endpoints, deps, stop: async () => { await Promise.all([openai.stop(), compliance.stop(), ingestion.stop(), vault.stop(), tables.stop()]); } };
}

/** Where the running fakes listen, and the CA (PEM) their certificates chain to. JSON-serializable. */
export interface FakeEndpoints {
  readonly openaiBaseUrl: string;
  readonly ingestionEndpoint: string;
  readonly vaultUrl: string;
  /** Table service holding the delivered-id ledger. */
  readonly tableUrl: string;
  readonly ca: string;
}

/**
 * The app's real clients pointed at the fakes, trusting their CA per client. Also used by the
 * engine tests' worker process, which reaches fakes that run in the test process.
 */
export function clientsForFakes(endpoints: FakeEndpoints, options: Pick<FakeEnvironmentOptions, "now" | "sleep" | "fastRetries"> = {}): CollectDeps {
  const credential = localCredential();
  const now = options.now ?? Date.now;
  const { ca } = endpoints;
  return {
    openai: new OpenAIClient({ baseUrl: endpoints.openaiBaseUrl, ca, ...(options.sleep ? { sleep: options.sleep } : {}) }),
    compliance: new ComplianceClient({ baseUrl: `${endpoints.openaiBaseUrl}/compliance`, ca, ...(options.sleep ? { sleep: options.sleep } : {}) }),
    writer: new SentinelWriter(endpoints.ingestionEndpoint, LOCAL_DCR_ID, credential, { ca, ...(options.fastRetries ? { retryDelayInMs: 10, maxRetryDelayInMs: 50 } : {}) }),
    secrets: new SecretCache(keyVaultReader(endpoints.vaultUrl, credential, { ca, ...(options.fastRetries ? { retryDelayInMs: 5 } : {}) }), undefined, now),
    ledger: new TableLedger({ endpoint: endpoints.tableUrl, credential }, { ca, ...(options.fastRetries ? { retryDelayInMs: 10 } : {}) }),
    now,
  };
}
