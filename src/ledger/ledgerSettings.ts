/**
 * Where the delivered-id ledger lives, from the Functions storage settings the deployment already
 * sets (identity-based `AzureWebJobsStorage__*`, or a connection string for `func start` with
 * Azurite). Validated at start-up; the error names the setting.
 */
import type { TokenCredential } from "@azure/core-auth";
import { ConfigError } from "../config";
import type { DeliveredLedger } from "./deliveredLedger";
import { TableLedger } from "./tableLedger";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The Table storage target from settings, or undefined when none is set. Throws {@link ConfigError}
 * on a bad one. A connection string in `AzureWebJobsStorage` (Azurite for `func start`) is read only
 * with `allowConnectionString` (local runs; Flex Consumption rejects that setting).
 */
export function ledgerTarget(env: Env, allowConnectionString = true): { endpoint: string } | { connectionString: string } | undefined {
  const uri = env.AzureWebJobsStorage__tableServiceUri?.trim();
  if (uri) {
    if (!/^https:\/\/[^/]+/.test(uri) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(uri)) throw new ConfigError("AzureWebJobsStorage__tableServiceUri", `must be an https:// Table service URI, got "${uri}"`);
    return { endpoint: uri.replace(/\/+$/, "") };
  }
  const account = env.AzureWebJobsStorage__accountName?.trim();
  if (account) {
    if (!/^[a-z0-9]{3,24}$/.test(account)) throw new ConfigError("AzureWebJobsStorage__accountName", `must be a storage account name (3–24 lower-case letters and digits), got "${account}"`);
    return { endpoint: `https://${account}.table.core.windows.net` };
  }
  const connection = allowConnectionString ? env.AzureWebJobsStorage?.trim() : undefined;
  return connection ? { connectionString: connection } : undefined;
}

/** The ledger from settings, or undefined when no storage setting is present. */
export function ledgerFromSettings(env: Env, credential: TokenCredential): DeliveredLedger | undefined {
  const target = ledgerTarget(env);
  if (!target) return undefined;
  return new TableLedger("endpoint" in target ? { endpoint: target.endpoint, credential } : target);
}

/** The Table storage target; throws {@link ConfigError} when none is set (production needs one). */
export function requiredLedgerTarget(env: Env, allowConnectionString = true): { endpoint: string } | { connectionString: string } {
  const target = ledgerTarget(env, allowConnectionString);
  if (!target) throw new ConfigError("AzureWebJobsStorage__tableServiceUri", "is required: the Table service URI of the Functions storage account (the delivered-id ledger lives there), or AzureWebJobsStorage__accountName / AzureWebJobsStorage");
  return target;
}

/** The ledger on the target from settings; throws {@link ConfigError} when none is set. */
export function requiredLedger(env: Env, credential: TokenCredential, allowConnectionString = true): DeliveredLedger {
  const target = requiredLedgerTarget(env, allowConnectionString);
  return new TableLedger("endpoint" in target ? { endpoint: target.endpoint, credential } : target);
}
