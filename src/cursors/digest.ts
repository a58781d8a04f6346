/**
 * 32-bit digests of completion ids, packed as base64url, so the chat cursor can remember which
 * completions it delivered without keeping their ids (which are ~38 characters each) in
 * orchestration history. Pure and deterministic (no `node:crypto`), so orchestrators may use it.
 *
 * A digest is only ever compared with digests of completions created in the *same second*, so a
 * false match needs two of the k completions of one second to collide: probability ≈ k / 2³².
 */

/** FNV-1a over the UTF-16 code units, finished with MurmurHash3's fmix32 for avalanche. Unsigned 32-bit. */
export function digest32(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Packs digests as base64url of 4 big-endian bytes each (about 5.3 characters per digest). */
export function packDigests(digests: readonly number[]): string {
  const bytes = Buffer.alloc(digests.length * 4);
  digests.forEach((d, i) => bytes.writeUInt32BE(d >>> 0, i * 4));
  return bytes.toString("base64url");
}

/** The digests of {@link packDigests}; throws on a string that is not a whole number of digests. */
export function unpackDigests(packed: string): number[] {
  const bytes = Buffer.from(packed, "base64url");
  if (bytes.length % 4 !== 0) throw new Error(`packed digests have ${bytes.length} bytes, not a multiple of 4`);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) out.push(bytes.readUInt32BE(i));
  return out;
}
