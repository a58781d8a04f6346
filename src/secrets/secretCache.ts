/**
 * API keys from Key Vault, cached per process for a short time so a page fetch does not cost a
 * vault round-trip, yet a rotated key is picked up within the TTL (or at once after a 401).
 */
import { SecretClient } from "@azure/keyvault-secrets";
import type { TokenCredential } from "@azure/core-auth";
import { apiKeyValueProblem } from "./apiKeyValue";
import { classifySecretFailure, SecretReadError } from "./keyVaultFailures";

/** How long a secret value is reused. */
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

/** Reads one secret's current value. */
export type SecretReader = (name: string) => Promise<string>;

/** Construction options for {@link keyVaultReader}. */
export interface KeyVaultReaderOptions {
  /** Extra CA certificates to trust (local fakes). */
  readonly ca?: string;
  /** First retry delay of the SDK's own retries (default 500 ms). */
  readonly retryDelayInMs?: number;
}

function isLocalHost(vaultUrl: string): boolean {
  const host = new URL(vaultUrl).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/** A {@link SecretReader} over one vault, with one `SecretClient` reused for every read. */
export function keyVaultReader(vaultUrl: string, credential: TokenCredential, options: KeyVaultReaderOptions = {}): SecretReader {
  const client = new SecretClient(vaultUrl, credential, {
    // The challenge's resource (vault.azure.net) can only match a real vault host; local fakes on localhost need this off.
    disableChallengeResourceVerification: isLocalHost(vaultUrl),
    retryOptions: { maxRetries: 2, retryDelayInMs: options.retryDelayInMs ?? 500 },
    ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
  });
  return async (name) => {
    let value: string | undefined;
    try {
      value = (await client.getSecret(name)).value;
    } catch (error) {
      const { statusCode, code } = error as { statusCode?: number; code?: string };
      throw new SecretReadError(classifySecretFailure(vaultUrl, name, statusCode, code));
    }
    if (!value) throw new SecretReadError({ kind: "fatal", status: undefined, message: `Key Vault ${vaultUrl} secret "${name}" is empty.` });
    return value.trim();
  };
}

/**
 * Caches secret values for a TTL. Every value read is checked ({@link apiKeyValueProblem}): one that
 * cannot be an API key is refused with a {@link SecretReadError} naming the secret, never its value.
 */
export class SecretCache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly read: SecretReader, private readonly ttlMs: number = DEFAULT_SECRET_TTL_MS, private readonly now: () => number = Date.now) {}

  /** The secret's value; `fresh` bypasses the cache (after a 401, the key may have been rotated). */
  async get(name: string, options: { fresh?: boolean } = {}): Promise<string> {
    const cached = this.entries.get(name);
    if (!options.fresh && cached && cached.expiresAt > this.now()) return cached.value;
    const value = await this.read(name);
    const problem = apiKeyValueProblem(name, value);
    if (problem) throw new SecretReadError({ kind: "fatal", status: undefined, message: problem, invalidValue: true });
    this.entries.set(name, { value, expiresAt: this.now() + this.ttlMs });
    return value;
  }
}
