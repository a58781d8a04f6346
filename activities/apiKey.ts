/** Runs OpenAI work with a collector's key, re-reading the key once after a 401 (it may have been rotated). */
import { isOpenAIError, OpenAIError } from "../src/openai/failures";
import { redactSecrets } from "../src/redact";
import type { SecretCache } from "../src/secrets/secretCache";

/** `error` with `keys` scrubbed from its message (an {@link OpenAIError} keeps its class and failure kind). */
function scrubbed(error: unknown, keys: readonly string[]): unknown {
  if (isOpenAIError(error)) return new OpenAIError({ ...error.failure, message: redactSecrets(error.failure.message, keys) }, error.requestId);
  if (error instanceof Error) error.message = redactSecrets(error.message, keys);
  return error;
}

/**
 * Calls `work` with the key named `secretName`. On an unauthorized failure the key is read again
 * bypassing the cache and `work` runs once more before the failure is reported. Whatever `work`
 * throws leaves with every key it was given scrubbed from its message: the last line of defence
 * for an error path that did not redact (the client redacts its own).
 */
export async function withApiKey<T>(secrets: SecretCache, secretName: string, work: (apiKey: string) => Promise<T>): Promise<T> {
  const key = await secrets.get(secretName);
  try {
    return await work(key);
  } catch (error) {
    if (!isOpenAIError(error) || error.failure.kind !== "unauthorized") throw scrubbed(error, [key]);
    const fresh = await secrets.get(secretName, { fresh: true });
    try {
      return await work(fresh);
    } catch (again) {
      throw scrubbed(again, [key, fresh]);
    }
  }
}
