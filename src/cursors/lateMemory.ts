/**
 * The late-arrival memory of a chat-completions collector: which completions created within the
 * late horizon were already delivered, so a re-read below the watermark takes only the ones that
 * became listable since (a completion's `created` is when its request *started*; it is listable
 * only once the request finished, minutes later for long reasoning requests and streams).
 *
 * It lives in orchestration history, so it is compact and bounded whatever the rate: per second,
 * the 32-bit digests ({@link digest32}) of the ids delivered in that second, packed. When that
 * outgrows the budget, the oldest seconds become *buckets*: a range of seconds remembered as the
 * number of completions delivered in it and the sum of their digests (mod 2³²). A bucket cannot
 * tell a late completion from a delivered one, but it can tell whether its range still lists
 * exactly what was delivered: a re-read that lists the same count and sum skips the range; any
 * other listing (a late one appeared, or one was deleted) delivers the whole range again. So an
 * overflowing memory costs duplicates of the bucket's completions, never a completion: a false
 * "same" needs a late completion and a deleted one in the same bucket whose digests are equal
 * (probability 2⁻³²), the same odds as two digests of one second colliding.
 *
 * Invariant: every completion created at or after `since` that was delivered is counted in
 * exactly one place — its second's digests or the bucket holding its second; a second with
 * neither had nothing delivered. The memory holds only what a pass can still re-read: the next
 * pass's floor is `since`, one late horizon below the start of the pass that wrote it.
 *
 * Pure; the mutable {@link MemoryBook} is a working copy for one activity call or one fold.
 */
import { digest32 } from "./digest";
import { decodeBuckets, decodeExact, encodeBuckets, encodeExact, varintLength, type MutableBucket } from "./lateMemoryCodec";

/** Largest memory, in characters of its JSON form, that one collector keeps (sizes the orchestration input under 16 KB). */
export const LATE_MEMORY_MAX_CHARS = 14_000;
/**
 * Completions a bucket takes before a new one starts, at first. Small, because a bucket that lists
 * two late completions at once is delivered again whole; doubled (merging neighbours) whenever the
 * buckets take more than {@link BUCKET_SHARE} of the budget. 4 and ½ gave the fewest duplicates
 * in test/scenarios/chatLate.test.ts (5 completions/s, 30 % late): 1,316 of 12,000, against
 * 2,534 with 20 and 4,866 with 40; ¼ and ¾ gave 1,732 and 1,485.
 */
export const BUCKET_ITEMS = 4;
/** Share of the budget the buckets may take before they are merged into larger ones; the rest keeps the newest seconds exact. */
export const BUCKET_SHARE = 0.5;

/** The durable, JSON-serialisable form. */
export interface LateMemory {
  /** Every completion created at or after this Unix second that was delivered is remembered here. */
  readonly since: number;
  /** Digests per second, base64url: per second ascending, varint(second − previous second, starting from `since`), varint(count), count × 4-byte digest. */
  readonly exact: string;
  /** Buckets, base64url: ascending, varint(start − previous end, starting from `since`), varint(end − start), varint(count), 4-byte sum. */
  readonly buckets: string;
}

/** The memory as version 2 of the chat cursor wrote it: exact from `exactFrom`, counts per minute below it. */
export interface LateMemoryV2 {
  readonly since: number;
  readonly exactFrom: number;
  readonly tail: readonly number[];
  readonly exact: string;
}

/** A range of seconds remembered only by count and checksum. */
export interface Bucket {
  /** First second, Unix seconds. */
  readonly start: number;
  /** The second after its last. */
  readonly end: number;
  /** Completions delivered in it. */
  readonly count: number;
  /** Sum of their digests, mod 2³². */
  readonly sum: number;
}

/** `sum + digest` mod 2³²: how a bucket's checksum grows by one completion. */
export function addDigest(sum: number, digest: number): number {
  return (sum + digest) >>> 0;
}

/** Whether `created` lies in `bucket`. */
export function inBucket(bucket: Pick<Bucket, "start" | "end">, created: number): boolean {
  return created >= bucket.start && created < bucket.end;
}

/** An empty memory that remembers from `since` on. */
export function emptyMemory(since: number): LateMemory {
  return { since, exact: "", buckets: "" };
}

/**
 * A version-2 memory as this version's: its exact part kept, its count-only minutes dropped. The
 * completions of those minutes are then delivered again if a pass lists them (it cannot tell
 * which were delivered), never skipped.
 */
export function upgradeMemory(memory: LateMemory | LateMemoryV2): LateMemory {
  if (!("exactFrom" in memory)) return memory;
  return { since: memory.since, exact: encodeExact(memory.since, decodeExact(memory.exactFrom, memory.exact)), buckets: "" };
}

/** How {@link MemoryBook.fit} must shape buckets around the reading position of a segment. */
export interface FitLimits {
  /** No bucket may hold seconds on both sides of any of these (e.g. the next pass's floor). */
  readonly boundaries?: readonly number[];
  /** A second to keep exact unless nothing else is left (the one a segment is in the middle of reading). */
  readonly keepExact?: number | null;
}

/** A mutable working copy of a {@link LateMemory}. */
export class MemoryBook {
  private since: number;
  private readonly seconds: Map<number, number[]>;
  /** Ascending by start, never overlapping, never holding a second that `seconds` has. */
  private buckets: MutableBucket[];

  constructor(memory: LateMemory | LateMemoryV2) {
    const m = upgradeMemory(memory);
    this.since = m.since;
    this.seconds = decodeExact(m.since, m.exact);
    this.buckets = decodeBuckets(m.since, m.buckets);
  }

  /** The bucket holding second `created`, if any. */
  bucketAt(created: number): Bucket | undefined {
    const i = this.indexAtOrBelow(created);
    const b = i >= 0 ? this.buckets[i] : undefined;
    return b && created < b.end ? { ...b } : undefined;
  }

  /** True when the completion was remembered as delivered by its digest (never for a bucket's seconds). */
  has(created: number, id: string): boolean {
    return this.seconds.get(created)?.includes(digest32(id)) ?? false;
  }

  /** Remembers a delivered completion: its digest in its second, or in the bucket holding that second. Ignored below `since`. */
  add(created: number, id: string): void {
    if (created < this.since) return;
    const digest = digest32(id);
    const i = this.indexAtOrBelow(created);
    const bucket = i >= 0 ? this.buckets[i] : undefined;
    if (bucket && created < bucket.end) {
      bucket.count++;
      bucket.sum = addDigest(bucket.sum, digest);
      return;
    }
    const list = this.seconds.get(created);
    if (!list) this.seconds.set(created, [digest]);
    else if (!list.includes(digest)) list.push(digest);
  }

  /** Empties the bucket starting at `start` (its range is being delivered again, and counted anew). */
  resetBucket(start: number): void {
    const b = this.buckets.find((x) => x.start === start);
    if (b) { b.count = 0; b.sum = 0; }
  }

  /** Ids remembered by digest. */
  get exactCount(): number {
    let n = 0;
    for (const list of this.seconds.values()) n += list.length;
    return n;
  }

  /** Completions remembered only in buckets. */
  get bucketedCount(): number {
    return this.buckets.reduce((n, b) => n + b.count, 0);
  }

  /**
   * Shrinks the JSON form to `maxChars` at most: moves the oldest seconds into buckets of up to
   * {@link BUCKET_ITEMS} completions, and merges neighbouring buckets into larger ones when the
   * buckets alone would take more than half the budget. Returns how many ids left the exact part.
   * The newest seconds stay exact: late completions land there most.
   */
  fit(maxChars: number, limits: FitLimits = {}): number {
    const boundaries = limits.boundaries ?? [];
    let keep = limits.keepExact ?? null;
    const order = [...this.seconds.keys()].sort((a, b) => a - b);
    let demoted = 0;
    let target = BUCKET_ITEMS;
    for (;;) {
      const size = this.measure(order);
      if (size.total <= maxChars) return demoted;
      if (size.buckets > maxChars * BUCKET_SHARE && target < this.exactCount + this.bucketedCount) {
        // Buckets take more than their half: larger ones (a busy second may only merge at a later size).
        this.coarsen(target * 2, boundaries, order);
        target *= 2;
        continue;
      }
      const next = order.findIndex((second) => second !== keep);
      if (next >= 0) {
        const [second] = order.splice(next, 1);
        demoted += this.demote(second!, target, boundaries, keep);
        continue;
      }
      if (target < this.exactCount + this.bucketedCount) {
        // Larger buckets, whether or not this size merged any: some may only merge at the next.
        this.coarsen(target * 2, boundaries, order);
        target *= 2;
        continue;
      }
      if (keep !== null && this.seconds.has(keep)) {
        order.splice(order.indexOf(keep), 1);
        demoted += this.demote(keep, target, boundaries, null);
        keep = null;
        continue;
      }
      return demoted;
    }
  }

  /** Forgets what was created before `second`; a bucket holding seconds on both sides is kept whole, and `since` then stays at its start. Never moves back. */
  forgetBefore(second: number): void {
    if (second <= this.since) return;
    for (const s of [...this.seconds.keys()]) if (s < second) this.seconds.delete(s);
    this.buckets = this.buckets.filter((b) => b.end > second);
    this.since = Math.min(second, this.buckets[0]?.start ?? second);
  }

  /** The durable form. */
  close(): LateMemory {
    return { since: this.since, exact: encodeExact(this.since, this.seconds), buckets: encodeBuckets(this.since, this.buckets) };
  }

  /** Index of the last bucket starting at or before `created`, or −1. */
  private indexAtOrBelow(created: number): number {
    let lo = 0, hi = this.buckets.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.buckets[mid]!.start <= created) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  /** Exact length of the JSON form, and of its buckets' part, in characters; `order` is the exact seconds ascending. */
  private measure(order: readonly number[]): { readonly total: number; readonly buckets: number } {
    const chars = (bytes: number) => Math.ceil((bytes * 4) / 3);
    let exact = 0, previous = this.since;
    for (const second of order) {
      const n = this.seconds.get(second)!.length;
      exact += varintLength(second - previous) + varintLength(n) + 4 * n;
      previous = second;
    }
    let buckets = 0;
    previous = this.since;
    for (const b of this.buckets) {
      buckets += varintLength(b.start - previous) + varintLength(b.end - b.start) + varintLength(b.count) + 4;
      previous = b.end;
    }
    const frame = JSON.stringify({ since: this.since, exact: "", buckets: "" }).length;
    return { total: frame + chars(exact) + chars(buckets), buckets: chars(buckets) };
  }

  private static crosses(start: number, end: number, boundaries: readonly number[]): boolean {
    return boundaries.some((b) => b > start && b < end);
  }

  /**
   * Moves second `second` into a bucket, joining the bucket just below when it has room and no
   * exact second (only `keep` can be one: older ones went first) lies between; returns the ids moved.
   */
  private demote(second: number, target: number, boundaries: readonly number[], keep: number | null): number {
    const digests = this.seconds.get(second) ?? [];
    this.seconds.delete(second);
    const sum = digests.reduce(addDigest, 0);
    const i = this.indexAtOrBelow(second);
    const below = i >= 0 ? this.buckets[i] : undefined;
    const joins = below !== undefined && below.end <= second && below.count + digests.length <= target
      && !MemoryBook.crosses(below.start, second + 1, boundaries) && !(keep !== null && keep >= below.end && keep < second);
    if (joins) {
      below.end = second + 1;
      below.count += digests.length;
      below.sum = addDigest(below.sum, sum);
    } else {
      this.buckets.splice(i + 1, 0, { start: second, end: second + 1, count: digests.length, sum });
    }
    return digests.length;
  }

  /** Merges neighbouring buckets, oldest first, while a merged one holds at most `target`; true when any merged. `order`: exact seconds ascending. */
  private coarsen(target: number, boundaries: readonly number[], order: readonly number[]): boolean {
    const exactIn = (from: number, to: number) => {
      let lo = 0, hi = order.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (order[mid]! < from) lo = mid + 1; else hi = mid; }
      return lo < order.length && order[lo]! < to;
    };
    let merged = false;
    const out: MutableBucket[] = [];
    for (const b of this.buckets) {
      const last = out[out.length - 1];
      if (last && last.count + b.count <= target && !MemoryBook.crosses(last.start, b.end, boundaries) && !exactIn(last.end, b.start)) {
        last.end = b.end;
        last.count += b.count;
        last.sum = addDigest(last.sum, b.sum);
        merged = true;
      } else out.push({ ...b });
    }
    this.buckets = out;
    return merged;
  }
}

/** A copy without what was created before `second` (see {@link MemoryBook.forgetBefore}). */
export function forgetBefore(memory: LateMemory, second: number): LateMemory {
  const book = new MemoryBook(memory);
  book.forgetBefore(second);
  return book.close();
}

/**
 * Splits a memory at Unix second `at`: the part for completions created before it and the part
 * from it on. Only where no bucket holds seconds on both sides ({@link canSplitAt}).
 */
export function splitMemory(memory: LateMemory, at: number): { readonly below: LateMemory | null; readonly atOrAbove: LateMemory } {
  if (!canSplitAt(memory, at)) throw new Error(`late memory cannot be split at ${at}: a bucket holds seconds on both sides`);
  if (at <= memory.since) return { below: null, atOrAbove: memory };
  const seconds = decodeExact(memory.since, memory.exact);
  const buckets = decodeBuckets(memory.since, memory.buckets);
  return {
    below: { since: memory.since, exact: encodeExact(memory.since, new Map([...seconds].filter(([s]) => s < at))), buckets: encodeBuckets(memory.since, buckets.filter((b) => b.end <= at)) },
    atOrAbove: { since: at, exact: encodeExact(at, new Map([...seconds].filter(([s]) => s >= at))), buckets: encodeBuckets(at, buckets.filter((b) => b.start >= at)) },
  };
}

/** Whether {@link splitMemory} can split at `at`. */
export function canSplitAt(memory: LateMemory, at: number): boolean {
  return !decodeBuckets(memory.since, memory.buckets).some((b) => b.start < at && at < b.end);
}

/** Number of ids the memory remembers by digest, and of completions it remembers in buckets. */
export function memoryCounts(memory: LateMemory): { readonly exact: number; readonly bucketed: number; readonly buckets: number } {
  const book = new MemoryBook(memory);
  return { exact: book.exactCount, bucketed: book.bucketedCount, buckets: decodeBuckets(memory.since, memory.buckets).length };
}
