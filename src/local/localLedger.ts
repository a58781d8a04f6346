/** The delivered-id ledger for a local live run without Azure Storage: the local Table service, kept in the data folder. */
import path from "node:path";
import type { DeliveredLedger } from "../ledger/deliveredLedger";
import { TableLedger } from "../ledger/tableLedger";
import { LOCAL_AZURE_TOKEN, localCredential } from "./fakeEnvironment";
import { TableStorageFake } from "./fakes/tableStorageFake";
import { testTls } from "./fakes/tls";

/**
 * Starts the local Table service over the SQLite database `<dataDir>/table-storage.sqlite` (importing
 * the `table-storage.json` an earlier version kept there, once) and returns the ledger on it, with
 * `close` (after the host has drained: it stops the service and closes the database, folding its
 * write-ahead log back into `table-storage.sqlite`).
 */
export async function localLedger(dataDir: string): Promise<{ ledger: DeliveredLedger; close(): Promise<void> }> {
  const tls = await testTls();
  const tables = await new TableStorageFake({ tls, token: LOCAL_AZURE_TOKEN, file: path.join(dataDir, "table-storage.sqlite"), importFrom: path.join(dataDir, "table-storage.json") }).start();
  return { ledger: new TableLedger({ endpoint: tables.url, credential: localCredential() }, { ca: tls.ca }), close: () => tables.stop() };
}
