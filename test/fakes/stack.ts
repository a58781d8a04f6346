/**
 * Starts every local fake and builds the real clients against them: the same composition the
 * app uses, with a CA passed per client instead of the public trust store.
 */
import type { TokenCredential } from "@azure/core-auth";
import { OpenAIClient } from "../../src/openai/client";
import { TABLES } from "../../src/schema/tables";
import { keyVaultReader, SecretCache } from "../../src/secrets/secretCache";
import { SentinelWriter } from "../../src/sentinel/writer";
import type { CollectDeps } from "../../activities/deps";
import { KeyVaultFake } from "./keyVaultFake";
import { LogsIngestionFake } from "./logsIngestionFake";
import { OpenAIMock, type OpenAIMockOptions } from "./openaiMock";
import { testTls, type TestTls } from "./tls";

/** Test-only keys: obviously fake and short. */
export const ADMIN_KEY = "test-admin-key-0001";
export const PROJECT_KEY = "test-project-key-0002";
export const DCR_ID = "dcr-00000000000000000000000000000001";
export const AZURE_TOKEN = "fake-azure-token";

/** A token credential that records the scopes asked for. */
export function staticCredential(token = AZURE_TOKEN, scopes: string[] = []): TokenCredential {
  return { getToken: (s) => { scopes.push(...(Array.isArray(s) ? s : [s])); return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }); } };
}

/** Everything an integration test needs. */
export interface Stack {
  readonly tls: TestTls;
  readonly openai: OpenAIMock;
  readonly ingestion: LogsIngestionFake;
  readonly vault: KeyVaultFake;
  readonly deps: CollectDeps;
  readonly logs: string[];
  stop(): Promise<void>;
}

/** Starts the fakes and the real clients. `sleep` defaults to a fast fake for in-call backoff. */
export async function startStack(mockOptions: Partial<OpenAIMockOptions> = {}, clientOptions: { realSleep?: boolean } = {}): Promise<Stack> {
  const tls = await testTls();
  const openai = await new OpenAIMock({ adminKey: ADMIN_KEY, projectKey: PROJECT_KEY, tls, ...mockOptions }).start();
  const ingestion = await new LogsIngestionFake({ tls, dcrImmutableId: DCR_ID, tables: TABLES, token: AZURE_TOKEN }).start();
  const vault = await new KeyVaultFake({ tls, token: AZURE_TOKEN }).start();
  vault.setSecret("openai-admin-key", ADMIN_KEY);
  vault.setSecret("openai-project-key", PROJECT_KEY);
  const credential = staticCredential();
  const deps: CollectDeps = {
    openai: new OpenAIClient({
      baseUrl: openai.baseUrl, ca: tls.ca,
      ...(clientOptions.realSleep ? {} : { sleep: (ms: number) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) }),
    }),
    writer: new SentinelWriter(ingestion.endpoint, DCR_ID, credential, { ca: tls.ca, retryDelayInMs: 10, maxRetryDelayInMs: 50 }),
    secrets: new SecretCache(keyVaultReader(vault.url, credential, { ca: tls.ca, retryDelayInMs: 5 }), undefined, mockOptions.now ?? Date.now),
    now: mockOptions.now ?? Date.now,
  };
  return {
    tls, openai, ingestion, vault, deps, logs: [],
    stop: async () => { await Promise.all([openai.stop(), ingestion.stop(), vault.stop()]); },
  };
}
