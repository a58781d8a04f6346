/**
 * The connection test behind `POST /api/collectors/{id}/test` and `POST /api/connection-tests`:
 * read the collector's key from Key Vault, judge its kind by its prefix, make one small OpenAI
 * request (a list of at most one item on the data type's endpoint; for ChatGPT compliance logs a
 * listing of at most one log file of the collector's first event type) and say in words whether
 * the key works and, if not, what to fix.
 *
 * The key is held only inside {@link testConnection}; it is never part of the result, and every
 * text of the result is scrubbed of it.
 */
import type { ComplianceClient } from "../compliance/client";
import { DEFAULT_CHATGPT_COMPLIANCE_BASE_URL } from "../config";
import { resolveStreams, type ComplianceOptions } from "../compliance/streams";
import { isOpenAIError, type OpenAIFailure } from "../openai/failures";
import type { OpenAIClient } from "../openai/client";
import { redactSecrets } from "../redact";
import { isSecretReadError, type SecretFailure } from "../secrets/keyVaultFailures";
import type { SecretCache } from "../secrets/secretCache";
import { isUsageDataType } from "../usage/definition";
import { DATA_TYPES, endpointUrl, KEY_KINDS, keyKindFits, keyKindOf, labelInSentence, type DataType, type DataTypeInfo, type KeyKind } from "./dataTypes";

/** What a connection test found. `ok` is the one outcome where collecting will work. */
export type ConnectionTestOutcome =
  | "ok"
  /** The key's prefix shows it is of another kind than the data type needs. */
  | "wrongKeyType"
  /** OpenAI answered 401/403 for the key. */
  | "keyRejected"
  /** OpenAI refused because audit logging is off in the organization. */
  | "auditLoggingDisabled"
  /** The secret does not exist in the vault (or is disabled, or empty). */
  | "secretMissing"
  /** The secret holds something that cannot be an API key (a line break or space inside, too short). */
  | "secretInvalid"
  /** The app's identity may not read secrets in the vault (role missing). */
  | "vaultAccessDenied"
  /** The vault could not be reached or answered 5xx/429. */
  | "vaultUnavailable"
  /** OpenAI answered 429 because credits or the budget are used up. */
  | "quotaExhausted"
  /** OpenAI answered 429 (rate limit): the key could not be judged. */
  | "throttled"
  /** OpenAI could not be reached or answered 5xx. */
  | "openaiUnavailable"
  /** OpenAI answered 404 for the endpoint: the base URL is not an OpenAI API. */
  | "endpointNotFound"
  /** Any other refusal (another 4xx). */
  | "failed";

/** The answer of a connection test (HTTP 200 body). Holds no key. */
export interface ConnectionTestResult {
  readonly ok: boolean;
  readonly outcome: ConnectionTestOutcome;
  readonly dataType: DataType;
  readonly apiKeySecretName: string;
  /** The endpoint tested (or that would have been). */
  readonly url: string;
  /** The kind the key's prefix shows; null when the prefix tells nothing or the key was not read. */
  readonly keyKind: KeyKind | null;
  /** HTTP status OpenAI answered; null when no request was sent or none was answered. */
  readonly openaiStatus: number | null;
  /** What happened, in one or two sentences. */
  readonly message: string;
  /** What to do about it; null when nothing needs doing. */
  readonly fix: string | null;
  /** ISO-8601 time the test ran. */
  readonly testedAt: string;
}

/** What the test needs: the same clients the activities use. */
export interface ConnectionTestDeps {
  readonly openai: OpenAIClient;
  readonly compliance: ComplianceClient;
  readonly secrets: SecretCache;
  /** Wall clock, ms. */
  readonly now: () => number;
}

/** Options of {@link testConnection}. */
export interface ConnectionTestOptions {
  readonly openaiBaseUrl: string;
  /** ChatGPT Compliance API base (default api.chatgpt.com). */
  readonly complianceBaseUrl?: string;
  /** The collector's `compliance` part (complianceLogs): which workspace or organization to list. */
  readonly compliance?: ComplianceOptions;
  readonly abortSignal?: AbortSignal;
}

// OpenAI documents no status or message for an organization without audit logging
// (docs/openai-api.md §8.9), so it is recognised by the words of the server's message; any other
// refusal is reported as keyRejected with the prerequisite named in the fix.
const AUDIT_LOGGING_OFF = /audit[ _-]?log(?:ging|s)?\b.*\b(?:not (?:been )?enabled|disabled|enable it|turned off)/i;

function keyFix(info: DataTypeInfo, secretName: string): string {
  const kind = KEY_KINDS[info.keyKind];
  return `Put ${info.keyRequirement} into the secret "${secretName}". ${kind.howToGet}`;
}

/** The result of a failed secret read. Pure. */
export function secretFailureResult(base: ResultBase, failure: SecretFailure): ConnectionTestResult {
  if (failure.status === 401 || failure.status === 403) {
    return result(base, "vaultAccessDenied", failure.message, `Grant the function app's managed identity the "Key Vault Secrets User" role on the vault (az role assignment create --role "Key Vault Secrets User" --assignee <identity principal id> --scope <vault resource id>).`);
  }
  if (failure.invalidValue) {
    return result(base, "secretInvalid", failure.message, `Set the secret "${base.apiKeySecretName}" again with ${DATA_TYPES[base.dataType].keyRequirement} alone as its value (az keyvault secret set --vault-name <vault> -n ${base.apiKeySecretName} --value <key>; no line break, quotes or spaces).`);
  }
  if (failure.kind === "retriable") return result(base, "vaultUnavailable", failure.message, "Try again in a minute; if it persists, check the vault's network rules and KEY_VAULT_URI.");
  const info: DataTypeInfo = DATA_TYPES[base.dataType];
  return result(base, "secretMissing", failure.message, `Create the secret "${base.apiKeySecretName}" with ${info.keyRequirement} as its value (az keyvault secret set --vault-name <vault> -n ${base.apiKeySecretName} --value <key>), or name the secret that holds it.`);
}

/** What is wrong with a key of kind `actual` in `secretName` for `dataType`, in one sentence. Pure. */
export function wrongKindSentence(dataType: DataType, secretName: string, actual: KeyKind): string {
  const info: DataTypeInfo = DATA_TYPES[dataType];
  return `The secret "${secretName}" holds ${article(KEY_KINDS[actual].label)} (${KEY_KINDS[actual].prefixes.join(" or ")}…), but ${labelInSentence(info)} need ${article(KEY_KINDS[info.keyKind].label)}.`;
}

/** The result of a key whose prefix shows the wrong kind. Pure. */
export function wrongKindResult(base: ResultBase, actual: KeyKind): ConnectionTestResult {
  const info: DataTypeInfo = DATA_TYPES[base.dataType];
  const message = `${wrongKindSentence(base.dataType, base.apiKeySecretName, actual)} No request was sent.`;
  return result({ ...base, keyKind: actual }, "wrongKeyType", message, keyFix(info, base.apiKeySecretName));
}

/** The result of the OpenAI request: success with `items` returned, or a failure. Pure. */
export function probeResult(base: ResultBase, answer: { items: number } | OpenAIFailure): ConnectionTestResult {
  const info: DataTypeInfo = DATA_TYPES[base.dataType];
  if ("items" in answer) {
    const seen = answer.items > 0 ? "and returned data" : "and returned no items yet";
    const hint = answer.items > 0 || !info.prerequisite ? "" : ` If you expect some: ${info.prerequisite}.`;
    return { ...result({ ...base, openaiStatus: 200 }, "ok", `The key works: ${labelInSentence(info)} answered HTTP 200 ${seen}.${hint}`, null), ok: true };
  }
  const withStatus = { ...base, openaiStatus: answer.status ?? null };
  switch (answer.kind) {
    case "unauthorized":
      if (info.prerequisite && AUDIT_LOGGING_OFF.test(answer.message)) {
        return result(withStatus, "auditLoggingDisabled", `OpenAI refused: ${answer.message}`, `Enable it: ${info.prerequisite}.`);
      }
      return result(withStatus, "keyRejected", `OpenAI rejected the key in "${base.apiKeySecretName}": ${answer.message}`,
        `${keyFix(info, base.apiKeySecretName)}${info.prerequisite ? ` If it already holds one: ${info.prerequisite}.` : ""}`);
    case "throttled":
      return answer.quota
        ? result(withStatus, "quotaExhausted", answer.message, "Add credits or raise the monthly budget of the OpenAI organization.")
        : result(withStatus, "throttled", `${answer.message}. The key could not be judged.`, "Try again in a minute.");
    case "retriable":
      return result(withStatus, "openaiUnavailable", answer.message, `Check that the app can reach the ${apiName(info)} (${baseSetting(info)}, outbound network) and try again.`);
    case "notFound":
    case "cursorInvalid":
      return result(withStatus, "endpointNotFound", answer.message, `Check ${baseSetting(info)}: ${base.url} should be an ${apiName(info)} endpoint${info.api === "chatgptCompliance" ? ", with the collector's workspace or organization id" : ""}.`);
    case "fatal":
      return result(withStatus, "failed", answer.message, null);
  }
}

/** Fields every result shares. */
export type ResultBase = Pick<ConnectionTestResult, "dataType" | "apiKeySecretName" | "url" | "keyKind" | "openaiStatus" | "testedAt">;

function result(base: ResultBase, outcome: ConnectionTestOutcome, message: string, fix: string | null): ConnectionTestResult {
  return { ok: false, outcome, ...base, message, fix };
}

function apiName(info: DataTypeInfo): string {
  return info.api === "chatgptCompliance" ? "ChatGPT Compliance API" : "OpenAI API";
}

function baseSetting(info: DataTypeInfo): string {
  return info.api === "chatgptCompliance" ? "CHATGPT_COMPLIANCE_BASE_URL" : "OPENAI_BASE_URL";
}

function article(phrase: string): string {
  return `${/^[aeiou]/i.test(phrase) ? "an" : "a"} ${phrase}`;
}

/** Scrubs the key (and anything key-shaped) from every text of a result. */
function scrubbed(value: ConnectionTestResult, key: string | undefined): ConnectionTestResult {
  const clean = (text: string) => redactSecrets(text, key ? [key] : []);
  return { ...value, message: clean(value.message), fix: value.fix === null ? null : clean(value.fix) };
}

/**
 * The one request of a test, and how many items it returned: a list of at most one item, or for
 * usage and costs (which take a time window) yesterday's daily bucket and its results.
 */
async function probeItems(deps: ConnectionTestDeps, key: string, dataType: DataType, info: DataTypeInfo, requestOptions: { abortSignal?: AbortSignal }): Promise<number> {
  if (!isUsageDataType(dataType)) return (await deps.openai.probe(key, dataType, info.endpointPath, requestOptions)).data.length;
  const today = Math.floor(deps.now() / 86_400_000) * 86_400;
  const query = { series: dataType === "costs" ? "costs" as const : "completions" as const, bucketWidth: "1d" as const, startTime: today - 86_400, endTime: today, limit: 1 };
  const page = await deps.openai.listUsageBuckets(key, dataType, query, requestOptions);
  return page.buckets.reduce((n, b) => n + b.results.length, 0);
}

/**
 * Tests whether the key in `secretName` can collect `dataType`: one fresh secret read, then at most
 * one OpenAI request (`GET <endpoint>?limit=1`, with the client's brief in-call retries). Never
 * throws for vault or OpenAI failures (they are outcomes); rethrows anything unexpected with the
 * key scrubbed from its message.
 */
export async function testConnection(deps: ConnectionTestDeps, dataType: DataType, secretName: string, options: ConnectionTestOptions): Promise<ConnectionTestResult> {
  const info: DataTypeInfo = DATA_TYPES[dataType];
  const resolved = info.api === "chatgptCompliance" && options.compliance ? resolveStreams(options.compliance) : undefined;
  const stream = resolved && "streams" in resolved ? resolved.streams[0] : undefined;
  const complianceBase = (options.complianceBaseUrl ?? DEFAULT_CHATGPT_COMPLIANCE_BASE_URL).replace(/\/+$/, "");
  const url = stream && complianceBase ? `${complianceBase}/${stream.scope === "workspace" ? "workspaces" : "organizations"}/${stream.scopeId}/logs` : endpointUrl(options.openaiBaseUrl, dataType, options.complianceBaseUrl);
  const base: ResultBase = { dataType, apiKeySecretName: secretName, url, keyKind: null, openaiStatus: null, testedAt: new Date(deps.now()).toISOString() };
  let key: string | undefined;
  try {
    try {
      // Fresh: the point of a test is to see the key as it is in the vault now.
      key = await deps.secrets.get(secretName, { fresh: true });
    } catch (error) {
      if (isSecretReadError(error)) return scrubbed(secretFailureResult(base, error.failure), undefined);
      throw error;
    }
    const kind = keyKindOf(key);
    if (kind !== undefined && !keyKindFits(dataType, kind)) return scrubbed(wrongKindResult(base, kind), key);
    const withKind = { ...base, keyKind: kind ?? null };
    const request = options.abortSignal ? { abortSignal: options.abortSignal } : {};
    try {
      if (info.api === "chatgptCompliance") {
        if (!stream) return scrubbed(result(withKind, "failed", "There is no workspace or organization to test the key against.", "Give compliance.workspaceId (a ChatGPT workspace UUID) or compliance.organizationId (org-...)."), key);
        const listing = await deps.compliance.listLogFiles(key, { ...stream, after: new Date(deps.now() - 86_400_000).toISOString(), limit: 1 }, request);
        return scrubbed(probeResult(withKind, { items: listing.files.length }), key);
      }
      const items = await probeItems(deps, key, dataType, info, request);
      return scrubbed(probeResult(withKind, { items }), key);
    } catch (error) {
      if (isOpenAIError(error)) return scrubbed(probeResult(withKind, error.failure), key);
      throw error;
    }
  } catch (error) {
    throw new Error(redactSecrets((error as Error)?.message ?? String(error), key ? [key] : []));
  }
}
