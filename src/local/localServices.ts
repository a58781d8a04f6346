/**
 * Services for a local run against real OpenAI and a real workspace: settings validated with the
 * same rules as in Azure, except that keys may come from environment variables (local use only)
 * when no Key Vault is configured.
 */
import { createCredential } from "../azure/credential";
import { parseDeclaredCollectors } from "../collectors/reconcile";
import { readRuntimeSettings } from "../collectors/settings";
import { loadConfig } from "../config";
import { ComplianceClient } from "../compliance/client";
import { OpenAIClient } from "../openai/client";
import { keyVaultReader, SecretCache, type SecretReader } from "../secrets/secretCache";
import { SecretReadError } from "../secrets/keyVaultFailures";
import { SentinelWriter } from "../sentinel/writer";
import type { AppServices } from "../functions/register";
import type { DeliveredLedger } from "../ledger/deliveredLedger";
import { ledgerFromSettings } from "../ledger/ledgerSettings";

type Env = Readonly<Record<string, string | undefined>>;

/** The environment variable that holds a secret locally: `openai-admin-key` → `OPENAI_ADMIN_KEY`. */
export function secretEnvName(secretName: string): string {
  return secretName.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** Reads secrets from environment variables (local runs without a Key Vault). */
export function environmentSecretReader(env: Env): SecretReader {
  return (name) => {
    const value = env[secretEnvName(name)]?.trim();
    if (!value) return Promise.reject(new SecretReadError({ kind: "fatal", status: 404, message: `Secret "${name}" is not set: put the key in the environment variable ${secretEnvName(name)} (local runs) or configure KEY_VAULT_URI.` }));
    return Promise.resolve(value);
  };
}

/**
 * Services from settings; throws a ConfigError naming the first bad setting. The ledger comes
 * from the storage settings when present, else `localLedger` (main.ts passes a file-backed one).
 */
export function localServices(env: Env, localLedger?: DeliveredLedger): AppServices & { secretSource: string } {
  const withVault = Boolean(env.KEY_VAULT_URI?.trim());
  // Without a vault, validate everything else with a placeholder that can never be used.
  const config = loadConfig(withVault ? env : { ...env, KEY_VAULT_URI: "https://local-environment.invalid" });
  const settings = readRuntimeSettings(env);
  const credential = createCredential(config.azureClientId);
  const reader = withVault ? keyVaultReader(config.keyVaultUri, credential) : environmentSecretReader(env);
  const deps = {
    openai: new OpenAIClient({ baseUrl: config.openaiBaseUrl, ...(config.openaiMaxRequestsPerSecond ? { maxRequestsPerSecond: config.openaiMaxRequestsPerSecond } : {}) }),
    compliance: new ComplianceClient({ baseUrl: config.chatgptComplianceBaseUrl }),
    writer: new SentinelWriter(config.logsIngestionEndpoint, config.dcrImmutableId, credential),
    secrets: new SecretCache(reader),
    ledger: ledgerFromSettings(env, credential) ?? localLedger ?? missingLedger(),
    now: Date.now,
  };
  const declared = parseDeclaredCollectors(env.COLLECTORS);
  return { deps: () => deps, settings: () => settings, declaredCollectors: () => declared, openaiBaseUrl: config.openaiBaseUrl, complianceBaseUrl: config.chatgptComplianceBaseUrl, now: Date.now, secretSource: withVault ? `Key Vault ${config.keyVaultUri}` : "environment variables" };
}


function missingLedger(): never {
  throw new Error("no delivered-id ledger: set AzureWebJobsStorage__tableServiceUri (or AzureWebJobsStorage), or run through npm start");
}
