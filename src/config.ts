/**
 * App settings, validated once at start-up into a typed object. Every error names the setting
 * and says what is wrong; secrets are never settings (API keys live in Key Vault, referenced by
 * secret name per collector).
 */

/** Default OpenAI API base. */
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
/** Default ChatGPT Compliance API base (chatgpt-compliance-api.md §1.1). */
export const DEFAULT_CHATGPT_COMPLIANCE_BASE_URL = "https://api.chatgpt.com/v1/compliance";
/** DCR stream of the audit log table. */
export const AUDIT_LOGS_STREAM = "Custom-OpenAIAuditLogs_CL";
/** DCR stream of the chat completions table. */
export const CHAT_COMPLETIONS_STREAM = "Custom-OpenAIChatCompletions_CL";
/** DCR stream of the connector health table. */
export const CONNECTOR_HEALTH_STREAM = "Custom-OpenAIConnectorHealth_CL";
/** DCR stream of the ChatGPT compliance logs table. */
export const CHATGPT_COMPLIANCE_LOGS_STREAM = "Custom-ChatGPTComplianceLogs_CL";
/** DCR stream of the ChatGPT hourly costs table. */
export const CHATGPT_COSTS_STREAM = "Custom-ChatGPTCosts_CL";

/** Validated settings. */
export interface AppConfig {
  /** OpenAI API base, e.g. `https://api.openai.com/v1` (OPENAI_BASE_URL). */
  readonly openaiBaseUrl: string;
  /** ChatGPT Compliance API base, e.g. `https://api.chatgpt.com/v1/compliance` (CHATGPT_COMPLIANCE_BASE_URL; another host for FedRAMP). */
  readonly chatgptComplianceBaseUrl: string;
  /** Vault holding the API keys (KEY_VAULT_URI). */
  readonly keyVaultUri: string;
  /** DCE or DCR logs-ingestion endpoint (LOGS_INGESTION_ENDPOINT). */
  readonly logsIngestionEndpoint: string;
  /** Immutable id of the DCR, `dcr-` + 32 hex digits (DCR_IMMUTABLE_ID). */
  readonly dcrImmutableId: string;
  /** Client id of a user-assigned managed identity (AZURE_CLIENT_ID); DefaultAzureCredential when absent. */
  readonly azureClientId: string | undefined;
  /** Page activities run at once per collector (FETCH_PARALLELISM, 1–32, default 4). */
  readonly fetchParallelism: number;
  /** Requests per second to OpenAI from this process at most (OPENAI_MAX_REQUESTS_PER_SECOND); unlimited when absent. */
  readonly openaiMaxRequestsPerSecond: number | undefined;
  /** Whether collectors write a row per generation to OpenAIConnectorHealth_CL (CONNECTOR_HEALTH_ENABLED, default true). */
  readonly connectorHealthEnabled: boolean;
}

/** A setting is missing or invalid. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly setting: string, problem: string) {
    super(`Setting ${setting} ${problem}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
}

function required(env: Env, name: string, hint: string): string {
  const v = value(env, name);
  if (v === undefined) throw new ConfigError(name, `is required: ${hint}`);
  return v;
}

function url(name: string, raw: string, httpsOnly: boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
  const local = parsed.hostname === "localhost" || parsed.hostname === "127.0.0.1";
  if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && (!httpsOnly || local))) {
    throw new ConfigError(name, `must be an https:// URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1)$/i.test(raw)) return true;
  if (/^(false|0)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

const DCR_ID = /^dcr-[0-9a-f]{32}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads and validates the settings; throws {@link ConfigError} naming the first bad one. */
export function loadConfig(env: Env = process.env): AppConfig {
  const openaiBaseUrl = url("OPENAI_BASE_URL", value(env, "OPENAI_BASE_URL") ?? DEFAULT_OPENAI_BASE_URL, false);
  const chatgptComplianceBaseUrl = url("CHATGPT_COMPLIANCE_BASE_URL", value(env, "CHATGPT_COMPLIANCE_BASE_URL") ?? DEFAULT_CHATGPT_COMPLIANCE_BASE_URL, true);
  const keyVaultUri = url("KEY_VAULT_URI", required(env, "KEY_VAULT_URI", "the URI of the Key Vault holding the OpenAI API keys, e.g. https://my-vault.vault.azure.net"), true);
  const logsIngestionEndpoint = url("LOGS_INGESTION_ENDPOINT", required(env, "LOGS_INGESTION_ENDPOINT", "the logs ingestion endpoint of the DCE or DCR, e.g. https://my-dce.eastus-1.ingest.monitor.azure.com"), true);
  const dcrImmutableId = required(env, "DCR_IMMUTABLE_ID", "the immutableId of the data collection rule (dcr-…)");
  if (!DCR_ID.test(dcrImmutableId)) throw new ConfigError("DCR_IMMUTABLE_ID", `must be "dcr-" followed by 32 lower-case hex digits, got "${dcrImmutableId}"`);
  const azureClientId = value(env, "AZURE_CLIENT_ID");
  if (azureClientId !== undefined && !GUID.test(azureClientId)) throw new ConfigError("AZURE_CLIENT_ID", `must be a GUID (the managed identity's client id), got "${azureClientId}"`);
  const fetchParallelism = integer(env, "FETCH_PARALLELISM", 4, 1, 32);
  const rate = integer(env, "OPENAI_MAX_REQUESTS_PER_SECOND", 0, 0, 1_000);
  const connectorHealthEnabled = flag(env, "CONNECTOR_HEALTH_ENABLED", true);
  return { openaiBaseUrl, chatgptComplianceBaseUrl, keyVaultUri, logsIngestionEndpoint, dcrImmutableId, azureClientId, fetchParallelism, openaiMaxRequestsPerSecond: rate === 0 ? undefined : rate, connectorHealthEnabled };
}
