/** Digests of usage buckets: what a usage cursor remembers to tell a revised bucket from an unchanged one. */
import { createHash } from "node:crypto";
import type { JsonObject } from "../src/openai/types";
import { DIGEST_CHARS } from "../src/usage/bucketMemory";
import { canonicalJson, groupKey, type SeriesName } from "../src/usage/series";

export { canonicalJson };

/**
 * The digest of a bucket's results ({@link DIGEST_CHARS} base64url characters of SHA-1): the same
 * for the same results in any order and with keys in any order; any changed value changes it.
 */
export function bucketDigest(series: SeriesName, results: readonly JsonObject[]): string {
  const canonical = results.map((r) => [groupKey(series, r), canonicalJson(r)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, text]) => text);
  return createHash("sha1").update(`[${canonical.join(",")}]`).digest("base64url").slice(0, DIGEST_CHARS);
}
