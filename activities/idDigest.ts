/** Short, stable digests of record ids, so dedupe sets stay small in orchestration history. */
import { createHash } from "node:crypto";

/** 60-bit digest of an id, as 10 base64url characters. */
export function idDigest(id: string): string {
  return createHash("sha1").update(id).digest("base64url").slice(0, 10);
}

/** A delivered audit event as remembered for late-arrival dedupe: `<effective_at>:<digest>`. */
export function recentEntry(effectiveAt: number, id: string): string {
  return `${effectiveAt}:${idDigest(id)}`;
}
