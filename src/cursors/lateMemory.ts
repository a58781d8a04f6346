/**
 * The late-arrival memory of a chat-completions collector: which completions created within the
 * late horizon were already delivered, so a re-read below the watermark takes only the ones that
 * became listable since (a completion's `created` is when its request *started*; it is listable
 * only once the request finished, minutes later for long reasoning requests and streams).
 *
 * It lives in orchestration history, so it is compact and bounded: per second, 32-bit digests of
 * the ids delivered in that second ({@link digest32}), packed. When it would outgrow its budget the
 * oldest minutes are demoted to a *count* of completions seen per minute: those minutes can no
 * longer tell a late completion from a delivered one, but a re-read still counts how many more
 * completions are listed there than were seen before: the "may have been missed" figure in status.
 *
 * Pure; the mutable {@link MemoryBook} is a working copy for one activity call or one fold.
 */
import { digest32, packDigests, unpackDigests } from "./digest";

/** Largest memory, in characters of its JSON form, that one collector keeps (sizes the orchestration input under 16 KB). */
export const LATE_MEMORY_MAX_CHARS = 14_000;

/** The durable, JSON-serialisable form. */
export interface LateMemory {
  /** Every completion created at or after this Unix second that was delivered is remembered here. */
  readonly since: number;
  /** Unix second from which ids are remembered exactly; a multiple of 60 whenever it is above `since`. */
  readonly exactFrom: number;
  /** Completions seen per minute below `exactFrom`: `tail[i]` counts minute `floor(since / 60) + i` (minute = Unix seconds / 60). */
  readonly tail: readonly number[];
  /** The exact part, base64url: per second ascending, varint(second − previous second, starting from `exactFrom`), varint(count), count × 4-byte digest. */
  readonly exact: string;
}

/** Where a `created` second falls in a memory. */
export type MemoryRegion = "below" | "tail" | "exact";

function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
}

function varintLength(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) n++;
  return n;
}

function encodeExact(exactFrom: number, seconds: ReadonlyMap<number, readonly number[]>): string {
  const bytes: number[] = [];
  let previous = exactFrom;
  for (const second of [...seconds.keys()].sort((a, b) => a - b)) {
    const digests = seconds.get(second)!;
    if (digests.length === 0) continue;
    pushVarint(bytes, second - previous);
    pushVarint(bytes, digests.length);
    const packed = Buffer.from(packDigests(digests), "base64url");
    for (const b of packed) bytes.push(b);
    previous = second;
  }
  return Buffer.from(bytes).toString("base64url");
}

function decodeExact(exactFrom: number, text: string): Map<number, number[]> {
  const bytes = Buffer.from(text, "base64url");
  const out = new Map<number, number[]>();
  let at = 0;
  let second = exactFrom;
  const varint = () => {
    let value = 0, scale = 1;
    for (;;) {
      if (at >= bytes.length) throw new Error("late memory is truncated");
      const b = bytes[at++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < bytes.length) {
    second += varint();
    const count = varint();
    if (at + count * 4 > bytes.length) throw new Error("late memory is truncated");
    out.set(second, unpackDigests(bytes.subarray(at, at + count * 4).toString("base64url")));
    at += count * 4;
  }
  return out;
}

/** An empty memory that remembers from `since` on. */
export function emptyMemory(since: number): LateMemory {
  return { since, exactFrom: since, tail: [], exact: "" };
}

/** A mutable working copy of a {@link LateMemory}. */
export class MemoryBook {
  private since: number;
  private exactFrom: number;
  private readonly tail: Map<number, number>;
  private readonly seconds: Map<number, number[]>;

  constructor(memory: LateMemory) {
    this.since = memory.since;
    this.exactFrom = memory.exactFrom;
    const first = Math.floor(memory.since / 60);
    this.tail = new Map(memory.tail.map((count, i) => [first + i, count]));
    this.seconds = decodeExact(memory.exactFrom, memory.exact);
  }

  /** Where `created` falls: below the memory, in its count-only minutes, or in its exact part. */
  region(created: number): MemoryRegion {
    if (created < this.since) return "below";
    return created < this.exactFrom ? "tail" : "exact";
  }

  /** True when the completion was remembered as delivered (exact part only). */
  has(created: number, id: string): boolean {
    return this.seconds.get(created)?.includes(digest32(id)) ?? false;
  }

  /** Remembers a delivered completion; ignored below the exact part (nothing there is judged by id). */
  add(created: number, id: string): void {
    if (this.region(created) !== "exact") return;
    const digest = digest32(id);
    const list = this.seconds.get(created);
    if (!list) this.seconds.set(created, [digest]);
    else if (!list.includes(digest)) list.push(digest);
  }

  /**
   * Records that a re-read listed `count` completions in count-only minute `minute` (Unix s / 60) and
   * returns how many more that is than were seen there before (late arrivals this memory cannot
   * identify). The larger count becomes the reference, so the same late completions are not counted
   * twice, and a minute counted only in part (it was demoted while being read) never lowers it.
   * A completion deleted there hides a late one: the figure is a lower bound when completions are deleted.
   */
  seenInMinute(minute: number, count: number): number {
    if (minute < Math.floor(this.since / 60) || minute * 60 >= this.exactFrom) return 0;
    const before = this.tail.get(minute) ?? 0;
    if (count <= before) return 0;
    this.tail.set(minute, count);
    return count - before;
  }

  /** Ids remembered exactly. */
  get exactCount(): number {
    let n = 0;
    for (const list of this.seconds.values()) n += list.length;
    return n;
  }

  /**
   * Demotes the oldest exact minutes to counts until the JSON form fits `maxChars`; returns how many
   * ids were demoted. Demoting the oldest keeps exact the minutes where late completions land most.
   */
  fit(maxChars: number): number {
    let demoted = 0;
    // Estimated JSON size of the exact part; re-measured exactly once it is believed to fit.
    const entryBytes = (list: readonly number[]) => 2 + varintLength(list.length) + 4 * list.length;
    let bytes = 0;
    for (const list of this.seconds.values()) bytes += entryBytes(list);
    const estimate = () => 80 + Math.ceil((bytes * 4) / 3) + this.tail.size * 4;
    for (;;) {
      if (estimate() <= maxChars && JSON.stringify(this.close()).length <= maxChars) return demoted;
      if (this.seconds.size === 0) return demoted;
      const oldest = Math.min(...this.seconds.keys());
      const boundary = (Math.floor(oldest / 60) + 1) * 60;
      let count = 0;
      for (const [second, list] of this.seconds) {
        if (second >= boundary) continue;
        count += list.length;
        bytes -= entryBytes(list);
        this.seconds.delete(second);
      }
      // Minutes between the old exact start and this one had nothing delivered: close() writes 0 for them.
      const minute = Math.floor(oldest / 60);
      this.tail.set(minute, (this.tail.get(minute) ?? 0) + count);
      this.exactFrom = boundary;
      demoted += count;
    }
  }

  /** Forgets everything created before `second` (it moves `since` up; never down). */
  forgetBefore(second: number): void {
    if (second <= this.since) return;
    this.since = second;
    if (second >= this.exactFrom) {
      this.exactFrom = second;
      this.tail.clear();
    }
    for (const minute of [...this.tail.keys()]) if (minute < Math.floor(second / 60)) this.tail.delete(minute);
    for (const s of [...this.seconds.keys()]) if (s < second) this.seconds.delete(s);
  }

  /** The durable form. */
  close(): LateMemory {
    const first = Math.floor(this.since / 60);
    const last = Math.floor((this.exactFrom - 1) / 60);
    const tail: number[] = [];
    if (this.exactFrom > this.since) for (let m = first; m <= last; m++) tail.push(this.tail.get(m) ?? 0);
    return { since: this.since, exactFrom: this.exactFrom, tail, exact: encodeExact(this.exactFrom, this.seconds) };
  }
}

/** A copy without what was created before `second`. */
export function forgetBefore(memory: LateMemory, second: number): LateMemory {
  const book = new MemoryBook(memory);
  book.forgetBefore(second);
  return book.close();
}

/**
 * Splits a memory at Unix second `at`: the part for completions created before it and the part
 * from it on. Only an exact boundary can be split ({@link canSplitAt}): counts per minute cannot.
 */
export function splitMemory(memory: LateMemory, at: number): { readonly below: LateMemory | null; readonly atOrAbove: LateMemory } {
  if (!canSplitAt(memory, at)) throw new Error(`late memory cannot be split at ${at}: inside its count-only minutes [${memory.since}, ${memory.exactFrom})`);
  if (at <= memory.since) return { below: null, atOrAbove: memory };
  const seconds = decodeExact(memory.exactFrom, memory.exact);
  const low = new Map([...seconds].filter(([s]) => s < at));
  const high = new Map([...seconds].filter(([s]) => s >= at));
  return {
    below: { ...memory, exact: encodeExact(memory.exactFrom, low) },
    atOrAbove: { since: at, exactFrom: at, tail: [], exact: encodeExact(at, high) },
  };
}

/** Whether {@link splitMemory} can split at `at`. */
export function canSplitAt(memory: LateMemory, at: number): boolean {
  return at <= memory.since || at >= memory.exactFrom;
}

/** Number of ids the memory remembers exactly. */
export function exactCount(memory: LateMemory): number {
  return new MemoryBook(memory).exactCount;
}
