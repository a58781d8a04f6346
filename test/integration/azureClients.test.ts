/** The real Azure SDK clients against the local fakes: chunking at the 1 MB limit, managed identity. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAggregateLogsUploadError, LogsIngestionClient } from "@azure/monitor-ingestion";
import { createCredential } from "../../src/azure/credential";
import { AUDIT_LOGS_STREAM } from "../../src/config";
import { TABLES } from "../../src/schema/tables";
import { keyVaultReader } from "../../src/secrets/secretCache";
import { SentinelWriter } from "../../src/sentinel/writer";
import { isSentinelError } from "../../src/sentinel/failures";
import { KeyVaultFake } from "../../src/local/fakes/keyVaultFake";
import { LogsIngestionFake } from "../../src/local/fakes/logsIngestionFake";
import { ManagedIdentityFake } from "../../src/local/fakes/managedIdentityFake";
import { AZURE_TOKEN, DCR_ID, staticCredential } from "../fakes/stack";
import { testTls, type TestTls } from "../../src/local/fakes/tls";

// 1,781 rows whose JSON sums to just under 1,000,000 bytes: the SDK puts them in one chunk whose body
// (with brackets and commas) exceeds the limit.
const rows = Array.from({ length: 1_781 }, (_, i) => ({ Id: `id-${String(i).padStart(6, "0")}`, EventType: "x".repeat(508), ConnectorName: "c" }));

describe("Logs Ingestion at the 1 MB request limit", () => {
  let tls: TestTls;
  let fake: LogsIngestionFake;
  before(async () => { tls = await testTls(); fake = await new LogsIngestionFake({ tls, dcrImmutableId: DCR_ID, tables: TABLES, token: AZURE_TOKEN, retain: "rows" }).start(); });
  after(async () => { await fake.stop(); });

  it("the SDK's own chunking sends an over-limit body, which the service refuses with 413", async () => {
    const client = new LogsIngestionClient(fake.endpoint, staticCredential(), { tlsOptions: { ca: tls.ca }, retryOptions: { maxRetries: 0 } });
    const total = rows.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0);
    assert.ok(total < 1_000_000 && total + rows.length + 1 > 1_000_000);
    const error = await client.upload(DCR_ID, AUDIT_LOGS_STREAM, rows).then(() => undefined, (e: unknown) => e);
    assert.ok(isAggregateLogsUploadError(error));
    assert.deepEqual(error.errors.map((e) => (e.cause as { statusCode?: number }).statusCode), [413]);
  });

  it("the writer chunks under the limit so every row is accepted once", async () => {
    const writer = new SentinelWriter(fake.endpoint, DCR_ID, staticCredential(), { ca: tls.ca });
    const before = fake.stats.requests;
    await writer.upload(AUDIT_LOGS_STREAM, rows);
    assert.deepEqual(fake.rows(AUDIT_LOGS_STREAM).map((r) => r.Id).sort(), rows.map((r) => r.Id));
    assert.equal(fake.stats.requests - before, 2);
  });

  it("names the role to grant when the identity may not ingest, and the DCR when it does not exist", async () => {
    const denied = new SentinelWriter(fake.endpoint, DCR_ID, staticCredential("some-other-token"), { ca: tls.ca, maxRetries: 0 });
    const missing = new SentinelWriter(fake.endpoint, "dcr-ffffffffffffffffffffffffffffffff", staticCredential(), { ca: tls.ca, maxRetries: 0 });
    const errors = await Promise.all([denied, missing].map((w) => w.upload(AUDIT_LOGS_STREAM, rows.slice(0, 1)).then(() => undefined, (e: unknown) => e)));
    assert.ok(errors.every(isSentinelError));
    assert.match(String((errors[0] as Error).message), /HTTP 401.*Monitoring Metrics Publisher/);
    assert.match(String((errors[1] as Error).message), /HTTP 404.*not found.*DCR_IMMUTABLE_ID \(dcr-f+\)/);
  });
});

describe("user-assigned managed identity (IDENTITY_ENDPOINT / IDENTITY_HEADER)", () => {
  const saved = { ...process.env };
  let tls: TestTls, identity: ManagedIdentityFake, fake: LogsIngestionFake, vault: KeyVaultFake;
  const clientId = "11111111-2222-3333-4444-555555555555";
  before(async () => {
    tls = await testTls();
    identity = await new ManagedIdentityFake("identity-header-secret").start();
    fake = await new LogsIngestionFake({ tls, dcrImmutableId: DCR_ID, tables: TABLES, token: ManagedIdentityFake.tokenFor("https://monitor.azure.com"), retain: "rows" }).start();
    vault = await new KeyVaultFake({ tls, token: ManagedIdentityFake.tokenFor("https://vault.azure.net") }).start();
    vault.setSecret("k", "test-value-1");
    process.env.IDENTITY_ENDPOINT = identity.endpoint;
    process.env.IDENTITY_HEADER = "identity-header-secret";
  });
  after(async () => { process.env = saved; await Promise.all([identity.stop(), fake.stop(), vault.stop()]); });

  it("gets tokens for Logs Ingestion and Key Vault with the configured client id, once per resource", async () => {
    const credential = createCredential(clientId);
    const writer = new SentinelWriter(fake.endpoint, DCR_ID, credential, { ca: tls.ca });
    const read = keyVaultReader(vault.url, credential, { ca: tls.ca });
    await writer.upload(AUDIT_LOGS_STREAM, rows.slice(0, 3));
    await writer.upload(AUDIT_LOGS_STREAM, rows.slice(3, 6));
    assert.deepEqual([await read("k"), await read("k")], ["test-value-1", "test-value-1"]);
    assert.equal(fake.rows(AUDIT_LOGS_STREAM).length, 6);
    assert.deepEqual(identity.requests, [{ resource: "https://monitor.azure.com", clientId }, { resource: "https://vault.azure.net", clientId }]);
    assert.equal(vault.stats.challenges, 1);
  });
});
