/** The delivered-id ledger through the real @azure/data-tables client against the local Table service. */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ledgerRows, LEDGER_BUCKET_SECONDS } from "../../src/ledger/deliveredLedger";
import { ledgerTarget, requiredLedgerTarget } from "../../src/ledger/ledgerSettings";
import { LEDGER_TABLE, TableLedger } from "../../src/ledger/tableLedger";
import { localCredential, LOCAL_AZURE_TOKEN } from "../../src/local/fakeEnvironment";
import { TableStorageFake } from "../../src/local/fakes/tableStorageFake";
import { testTls } from "../../src/local/fakes/tls";
import { ConfigError } from "../../src/config";

describe("delivered-id ledger on Table storage", () => {
  let fake: TableStorageFake;
  let ledger: TableLedger;
  let tls: Awaited<ReturnType<typeof testTls>>;
  const scopes: string[] = [];
  const org = { collectorId: "org-audit", scope: "organization" as const };
  const tenant = { collectorId: "org-audit", scope: "tenant" as const };
  const t0 = 1_764_000_000; // a bucket boundary (divisible by 60)

  before(async () => {
    tls = await testTls();
    fake = await new TableStorageFake({ tls, token: LOCAL_AZURE_TOKEN, pageSize: 2 }).start();
    ledger = new TableLedger({ endpoint: fake.url, credential: localCredential(LOCAL_AZURE_TOKEN, scopes) }, { ca: tls.ca, retryDelayInMs: 5 });
  });
  after(async () => { await fake.stop(); });

  it("returns what was recorded for the buckets a range touches, per collector and scope, across continuation pages", async () => {
    await ledger.record(org, [{ effectiveAt: t0 + 1, digest: "AAAAAAAAAA" }, { effectiveAt: t0 + 59, digest: "BBBBBBBBBB" }, { effectiveAt: t0 + 60, digest: "CCCCCCCCCC" }]);
    await ledger.record(org, [{ effectiveAt: t0 + 130, digest: "DDDDDDDDDD" }, { effectiveAt: t0 - 1, digest: "EEEEEEEEEE" }]);
    await ledger.record(tenant, [{ effectiveAt: t0 + 5, digest: "TTTTTTTTTT" }]);
    assert.deepEqual([...(await ledger.delivered(org, t0, t0 + 120))].sort(), ["AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"]);
    assert.deepEqual([...(await ledger.delivered(org, t0 + 61, t0 + 62))].sort(), ["CCCCCCCCCC"]);
    assert.deepEqual([...(await ledger.delivered(tenant, t0 - 600, t0 + 600))], ["TTTTTTTTTT"]);
    assert.ok(scopes.length > 0, "the client asked the credential for a token");
  });

  it("writes the same rows again when the same page is recorded twice (a retried activity)", async () => {
    const before = fake.rows(LEDGER_TABLE).length;
    await ledger.record(org, [{ effectiveAt: t0 + 70, digest: "FFFFFFFFFF" }]);
    await ledger.record(org, [{ effectiveAt: t0 + 70, digest: "FFFFFFFFFF" }]);
    assert.equal(fake.rows(LEDGER_TABLE).length, before + 1);
    assert.deepEqual(ledgerRows([{ effectiveAt: t0 + 61, digest: "B".repeat(10) }, { effectiveAt: t0 + 60, digest: "A".repeat(10) }]).map((r) => r.digests), ["A".repeat(10) + "B".repeat(10)]);
  });

  it("prunes only the rows of buckets that ended before the floor, of one partition", async () => {
    const deleted = await ledger.prune(org, t0 + LEDGER_BUCKET_SECONDS);
    assert.equal(deleted, 2); // the bucket before t0 and the [t0, t0+60) bucket
    assert.deepEqual([...(await ledger.delivered(org, t0 - 60, t0 + 600))].sort(), ["CCCCCCCCCC", "DDDDDDDDDD", "FFFFFFFFFF"]);
    assert.deepEqual([...(await ledger.delivered(tenant, t0, t0 + 60))], ["TTTTTTTTTT"]);
  });

  it("prunes and reads a window in one listing: the same rows go and the same digests come back as prune then delivered", async () => {
    // Its own Table service with the real page size, so a listing of a few rows is one request.
    const own = await new TableStorageFake({ tls, token: LOCAL_AZURE_TOKEN }).start();
    try {
      const store = new TableLedger({ endpoint: own.url, credential: localCredential(LOCAL_AZURE_TOKEN, []) }, { ca: tls.ca, retryDelayInMs: 5 });
      const a = { collectorId: "one-listing", scope: "organization" as const }, b = { collectorId: "two-calls", scope: "organization" as const };
      const entries = [{ effectiveAt: t0 - 130, digest: "GGGGGGGGGG" }, { effectiveAt: t0 - 1, digest: "HHHHHHHHHH" }, { effectiveAt: t0 + 10, digest: "IIIIIIIIII" }, { effectiveAt: t0 + 200, digest: "JJJJJJJJJJ" }, { effectiveAt: t0 + 900, digest: "KKKKKKKKKK" }];
      await store.record(a, entries);
      await store.record(b, entries);
      const q0 = own.stats.queries;
      const combined = await store.pruneAndRead(a, t0, t0, t0 + 300);
      const q1 = own.stats.queries;
      const pruned = await store.prune(b, t0);
      const separate = await store.delivered(b, t0, t0 + 300);
      const q2 = own.stats.queries;
      assert.deepEqual([[...combined.delivered].sort(), combined.pruned], [[...separate].sort(), pruned]);
      assert.deepEqual([[...combined.delivered].sort(), combined.pruned], [["IIIIIIIIII", "JJJJJJJJJJ"], 2]);
      const left = (collectorId: string) => own.rows(LEDGER_TABLE).filter((r) => r.PartitionKey === `${collectorId}.organization`).map((r) => r.RowKey).sort();
      assert.deepEqual(left("one-listing"), left("two-calls"));
      assert.deepEqual([q1 - q0, q2 - q1], [1, 2]);
    } finally {
      await own.stop();
    }
  });

  it("finds its storage from the Functions storage settings and names a bad one", () => {
    assert.deepEqual([
      ledgerTarget({ AzureWebJobsStorage__tableServiceUri: "https://st1.table.core.windows.net/" }),
      ledgerTarget({ AzureWebJobsStorage__accountName: "st1" }),
      ledgerTarget({ AzureWebJobsStorage: "UseDevelopmentStorage=true" }),
      ledgerTarget({}),
    ], [{ endpoint: "https://st1.table.core.windows.net" }, { endpoint: "https://st1.table.core.windows.net" }, { connectionString: "UseDevelopmentStorage=true" }, undefined]);
    assert.throws(() => ledgerTarget({ AzureWebJobsStorage__tableServiceUri: "ftp://x" }), (e: unknown) => e instanceof ConfigError && e.setting === "AzureWebJobsStorage__tableServiceUri");
    assert.throws(() => ledgerTarget({ AzureWebJobsStorage__accountName: "Bad_Name" }), (e: unknown) => e instanceof ConfigError && e.setting === "AzureWebJobsStorage__accountName");
    assert.throws(() => requiredLedgerTarget({}), (e: unknown) => e instanceof ConfigError && e.setting === "AzureWebJobsStorage__tableServiceUri" && /delivered-id ledger/.test(e.message));
  });
});

describe("the local Table service's database (npm start keeps the ledger there)", () => {
  const org = { collectorId: "org-audit", scope: "organization" as const };
  const t0 = 1_764_000_000;

  it("keeps what was recorded across a restart, imports the JSON file an earlier version wrote once, and writes no JSON file again", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledger-db-"));
    const legacy = path.join(dir, "table-storage.json");
    const digest = "LLLLLLLLLL";
    const tls = await testTls();
    const open = async () => {
      const fake = await new TableStorageFake({ tls, token: LOCAL_AZURE_TOKEN, file: path.join(dir, "table-storage.sqlite"), importFrom: legacy, pageSize: 2 }).start();
      return { fake, ledger: new TableLedger({ endpoint: fake.url, credential: localCredential() }, { ca: tls.ca, retryDelayInMs: 5 }) };
    };
    // The earlier fake's file ({ table: Entity[] }): the rows the ledger writes, taken from a scratch in-memory service.
    const scratch = await new TableStorageFake({ tls, token: LOCAL_AZURE_TOKEN }).start();
    await new TableLedger({ endpoint: scratch.url, credential: localCredential() }, { ca: tls.ca }).record(org, [{ effectiveAt: t0 + 3, digest }]);
    const written = scratch.rows(LEDGER_TABLE);
    await scratch.stop();
    assert.equal(written.length, 1);
    fs.writeFileSync(legacy, JSON.stringify({ [LEDGER_TABLE]: written }));

    const first = await open();
    assert.deepEqual([fs.existsSync(legacy), fs.existsSync(`${legacy}.imported`)], [false, true]);
    assert.deepEqual([...(await first.ledger.delivered(org, t0, t0 + 60))], [digest]);
    await first.ledger.record(org, [{ effectiveAt: t0 + 61, digest: "MMMMMMMMMM" }, { effectiveAt: t0 + 125, digest: "NNNNNNNNNN" }]);
    await first.fake.stop();

    // A second start finds both (the import is not repeated: the renamed file is left alone).
    fs.writeFileSync(legacy, JSON.stringify({ [LEDGER_TABLE]: [] }));
    const second = await open();
    assert.deepEqual([...(await second.ledger.delivered(org, t0, t0 + 180))].sort(), [digest, "MMMMMMMMMM", "NNNNNNNNNN"]);
    await second.fake.stop();
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".json")), ["table-storage.json"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
