/** Production services: settings validated at start-up, real clients built once per process. */
import { createCredential } from "../azure/credential";
import { parseDeclaredCollectors } from "../collectors/reconcile";
import { readRuntimeSettings } from "../collectors/settings";
import { ledgerTarget, requiredLedger } from "../ledger/ledgerSettings";
import { loadConfig, type AppConfig } from "../config";
import { ComplianceClient } from "../compliance/client";
import { OpenAIClient } from "../openai/client";
import { keyVaultReader, SecretCache } from "../secrets/secretCache";
import { SentinelWriter } from "../sentinel/writer";
import type { CollectDeps } from "../../activities/deps";
import type { AppServices } from "./register";

/** Builds the services from validated settings; clients are created on first use and reused. */
export function productionServices(config: AppConfig = loadConfig(), env: Readonly<Record<string, string | undefined>> = process.env): AppServices {
  const settings = readRuntimeSettings(env); // validated now: a bad value stops start-up
  const declared = parseDeclaredCollectors(env.COLLECTORS);
  // A bad storage setting stops start-up; a missing one (the Functions host itself needs them) is reported by the first audit activity.
  ledgerTarget(env);
  let deps: CollectDeps | undefined;
  return {
    openaiBaseUrl: config.openaiBaseUrl,
    complianceBaseUrl: config.chatgptComplianceBaseUrl,
    now: Date.now,
    settings: () => settings,
    declaredCollectors: () => declared,
    connectorHealthEnabled: config.connectorHealthEnabled,
    deps: () => {
      if (!deps) {
        const credential = createCredential(config.azureClientId);
        deps = {
          openai: new OpenAIClient({ baseUrl: config.openaiBaseUrl, ...(config.openaiMaxRequestsPerSecond ? { maxRequestsPerSecond: config.openaiMaxRequestsPerSecond } : {}) }),
          compliance: new ComplianceClient({ baseUrl: config.chatgptComplianceBaseUrl }),
          writer: new SentinelWriter(config.logsIngestionEndpoint, config.dcrImmutableId, credential),
          secrets: new SecretCache(keyVaultReader(config.keyVaultUri, credential)),
          ledger: requiredLedger(env, credential),
          now: Date.now,
        };
      }
      return deps;
    },
  };
}
