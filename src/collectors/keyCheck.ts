/**
 * The key check of PUT /api/collectors/{id}: a definition whose secret holds a key of the wrong
 * kind for its data type (a project key where an admin key is needed, or the other way round) is
 * refused with the field named, before anything is stored. The key is read inside this module only
 * and never returned or logged.
 */
import type { SecretCache } from "../secrets/secretCache";
import { isSecretReadError } from "../secrets/keyVaultFailures";
import { wrongKindSentence } from "./connectionTest";
import { DATA_TYPES, KEY_KINDS, keyKindFits, keyKindOf, type DataType } from "./dataTypes";
import type { InputProblem } from "./definitionInput";

/**
 * Reads `secretName` (fresh) and returns the problem when its key's prefix shows another kind than
 * `dataType` needs. Undefined when the kind fits, the prefix tells nothing, or the secret cannot be
 * read now (missing, no access, vault down: the collector reports that itself once it runs, and the
 * connection test explains it). Unexpected errors are thrown.
 */
export async function keyKindProblem(secrets: SecretCache, dataType: DataType, secretName: string): Promise<InputProblem | undefined> {
  let key: string;
  try {
    key = await secrets.get(secretName, { fresh: true });
  } catch (error) {
    if (isSecretReadError(error)) return undefined;
    throw error;
  }
  const kind = keyKindOf(key);
  const needed = DATA_TYPES[dataType].keyKind;
  if (kind === undefined || keyKindFits(dataType, kind)) return undefined;
  return { field: "apiKeySecretName", message: `apiKeySecretName: ${wrongKindSentence(dataType, secretName, kind)} ${KEY_KINDS[needed].howToGet}` };
}
