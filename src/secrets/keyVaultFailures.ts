/** Classifies Key Vault read failures. Pure. */

/** Why a secret could not be read. */
export interface SecretFailure {
  readonly kind: "retriable" | "fatal";
  readonly status: number | undefined;
  readonly message: string;
  /** True when the secret was read but its value cannot be an API key (src/secrets/apiKeyValue.ts). */
  readonly invalidValue?: boolean;
}

/** Reading a secret failed. The message names the secret, never its value. */
export class SecretReadError extends Error {
  override readonly name = "SecretReadError";
  constructor(readonly failure: SecretFailure) {
    super(failure.message);
  }
}

/** Type guard for {@link SecretReadError}. */
export function isSecretReadError(error: unknown): error is SecretReadError {
  return error instanceof SecretReadError;
}

/** Classifies a failed `getSecret(name)` on `vaultUrl`. */
export function classifySecretFailure(vaultUrl: string, name: string, statusCode: number | undefined, code: string | undefined): SecretFailure {
  const where = `Key Vault ${vaultUrl} secret "${name}"`;
  if (statusCode === 404) return { kind: "fatal", status: 404, message: `${where} does not exist (or is disabled). Create it with the OpenAI API key as its value.` };
  if (statusCode === 401 || statusCode === 403) {
    return { kind: "fatal", status: statusCode, message: `${where}: access denied (HTTP ${statusCode}). Grant the function app's identity the "Key Vault Secrets User" role on the vault.` };
  }
  if (statusCode === 429 || statusCode === 408 || (statusCode !== undefined && statusCode >= 500) || statusCode === undefined) {
    return { kind: "retriable", status: statusCode, message: `${where}: temporarily unavailable (${statusCode ? `HTTP ${statusCode}` : code ?? "network error"})` };
  }
  return { kind: "fatal", status: statusCode, message: `${where}: HTTP ${statusCode}${code ? ` ${code}` : ""}` };
}
