/**
 * What a usage cursor remembers of the buckets it may read again: one short digest of each
 * bucket's results, for consecutive buckets, packed into one string so the memory stays small in
 * orchestration history (8 characters per bucket). Pure: orchestrators and activities share it.
 */

/** Characters per digest. 48 bits: a changed bucket goes unnoticed with odds of 2^-48. */
export const DIGEST_CHARS = 8;
/** Stands for a bucket whose digest is not known. */
export const UNKNOWN_DIGEST = ".".repeat(DIGEST_CHARS);

/** Digests of consecutive buckets `from`, `from + width`, … (Unix seconds). */
export interface BucketMemory {
  readonly from: number;
  /** Concatenated digests, {@link DIGEST_CHARS} each; {@link UNKNOWN_DIGEST} where none is known. */
  readonly digests: string;
}

/** Remembers nothing. */
export const NO_MEMORY: BucketMemory = { from: 0, digests: "" };

/** The digests of `memory` by bucket start; unknown buckets are left out. */
export function recall(memory: BucketMemory, width: number): Map<number, string> {
  const known = new Map<number, string>();
  for (let i = 0; i * DIGEST_CHARS < memory.digests.length; i++) {
    const digest = memory.digests.slice(i * DIGEST_CHARS, (i + 1) * DIGEST_CHARS);
    if (digest !== UNKNOWN_DIGEST) known.set(memory.from + i * width, digest);
  }
  return known;
}

/**
 * Packs the digests of buckets starting in [from, to) (both multiples of `width`); buckets without
 * a digest become {@link UNKNOWN_DIGEST}, and unknown ones at either end are dropped.
 */
export function remember(digests: ReadonlyMap<number, string>, width: number, from: number, to: number): BucketMemory {
  const parts: string[] = [];
  for (let start = from; start < to; start += width) {
    const digest = digests.get(start);
    if (digest !== undefined && digest.length !== DIGEST_CHARS) throw new Error(`digest "${digest}" of bucket ${start} is not ${DIGEST_CHARS} characters`);
    parts.push(digest ?? UNKNOWN_DIGEST);
  }
  while (parts.length > 0 && parts[parts.length - 1] === UNKNOWN_DIGEST) parts.pop();
  let first = 0;
  while (first < parts.length && parts[first] === UNKNOWN_DIGEST) first++;
  return first === parts.length ? NO_MEMORY : { from: from + first * width, digests: parts.slice(first).join("") };
}

/** `base` with `update`'s digests laid over it, kept for buckets starting in [from, to). */
export function merge(base: BucketMemory, update: BucketMemory, width: number, from: number, to: number): BucketMemory {
  const all = recall(base, width);
  for (const [start, digest] of recall(update, width)) all.set(start, digest);
  return remember(all, width, from, to);
}
