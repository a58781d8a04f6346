/** Runs OpenAI work with a collector's key, re-reading the key once after a 401 (it may have been rotated). */
import { isOpenAIError } from "../src/openai/failures";
import type { SecretCache } from "../src/secrets/secretCache";

/**
 * Calls `work` with the key named `secretName`. On an unauthorized failure the key is read again
 * bypassing the cache and `work` runs once more before the failure is reported.
 */
export async function withApiKey<T>(secrets: SecretCache, secretName: string, work: (apiKey: string) => Promise<T>): Promise<T> {
  const key = await secrets.get(secretName);
  try {
    return await work(key);
  } catch (error) {
    if (!isOpenAIError(error) || error.failure.kind !== "unauthorized") throw error;
    const fresh = await secrets.get(secretName, { fresh: true });
    return work(fresh);
  }
}
