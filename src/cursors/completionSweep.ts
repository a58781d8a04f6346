/**
 * Segments of a chat-completions pass. The list endpoint (`GET /chat/completions`, openai-openapi.yaml
 * `listChatCompletions`) has no time filter, only `order` ("sort order … by timestamp") and
 * `after=<id>`; `created` has one-second resolution with many ties, and the order of ties is
 * undocumented (openai-api.md §8.11). So a segment is defined by *whole seconds*, not by ids: it
 * owns the completions created in `[lo, hi)` and reads them `order=desc` starting after an anchor
 * (a completion created in second `hi`), until it meets one created before `lo`. Whichever order
 * the server gives ties, every completion of second `s` comes after every completion of a newer
 * second, so the segment owning `s` sees all of them; ties at `hi` that follow the anchor are left
 * to the segment above, which reads through the whole of second `hi`.
 *
 * Progress is a value, not an id: the newest and oldest delivered points `{created, ids}` of the
 * segment. A dead `after` (the completion was deleted) is recovered by reading again from a point
 * above it: everything strictly between those two points was delivered, and at those seconds
 * only the listed ids were.
 *
 * Below the previous pass's newest completion the late memory (lateMemory.ts) tells delivered
 * completions from late ones: by digest in its exact seconds; in its buckets by checking that the
 * bucket's range lists exactly the count and checksum delivered — a bucket that lists anything
 * else is delivered again whole ({@link judgePage}). A completion the memory does not hold is
 * always delivered. Pure; every function returns new values.
 */
import { digest32, packDigests, unpackDigests } from "./digest";
import { addDigest, canSplitAt, inBucket, splitMemory, type Bucket, type LateMemory, type MemoryBook } from "./lateMemory";

/** A point on the `created` axis with the digests ({@link packDigests}) of the ids delivered at exactly that second. */
export interface TimePoint {
  readonly created: number;
  readonly ids: string;
}

/** A stored completion used as a starting point: `order=desc&after=<id>` lists what is older. */
export interface Anchor {
  readonly id: string;
  /** Its `created`, Unix seconds. */
  readonly created: number;
}

/** A bucket of the late memory whose listing this segment is checking, across pages (its completions are skipped meanwhile). */
export interface BucketCheck {
  /** The bucket's seconds, `[start, end)`. */
  readonly start: number;
  readonly end: number;
  /** Completions listed in it so far, and the sum of their digests mod 2³². */
  readonly count: number;
  readonly sum: number;
  /** Where its listing began, to list it again from: the `after` (null: from the newest) and that completion's `created`. */
  readonly from: { readonly after: string | null; readonly at: number | null };
}

/** Seconds `[start, end)` of a bucket being delivered again. */
export interface BucketRange {
  readonly start: number;
  readonly end: number;
  /**
   * Digest of the one completion the bucket lacked (it listed one more, and the sums differ by
   * this digest): only it is delivered. Absent: all of the bucket.
   */
  readonly only?: number;
  /** With `only`: completions found with that digest so far, and where the bucket's listing began (to list it again whole when none is). */
  readonly found?: number;
  readonly from?: BucketCheck["from"];
}

/** How far a segment got. */
export interface SweepProgress {
  /** Newest delivered point of this segment; null before it delivered anything. */
  readonly top: TimePoint | null;
  /** Oldest delivered point. */
  readonly low: TimePoint | null;
  /** `after` for the next desc page; null reads from the newest completion. */
  readonly after: string | null;
  /** `created` of the completion `after` names: the segment has read everything above it. */
  readonly at: number | null;
  /** The bucket being checked when the last page ended; null when none. */
  readonly check: BucketCheck | null;
  /** A bucket whose check failed, or that the listing entered midway: everything listed in it is delivered. */
  readonly reread: BucketRange | null;
}

/** One segment of a pass. */
export interface Segment {
  /** Owns completions created at or after this Unix second… */
  readonly lo: number;
  /** …and before this one; null for the top segment, which owns everything newer too. */
  readonly hi: number | null;
  /** It starts after this completion (created in second `hi`); null for the top segment. */
  readonly start: Anchor | null;
  readonly progress: SweepProgress;
  /** What earlier passes delivered inside `[lo, hi)`; null when they delivered nothing there. */
  readonly memory: LateMemory | null;
}

/** How one listed completion relates to a segment. */
export type ItemVerdict =
  /** Not delivered yet (or in a bucket read again): upload it. */
  | "new"
  /** Delivered by this segment before a restart re-listed it. */
  | "again"
  /** Delivered by an earlier pass (late memory), or an unplaced completion delivered before. */
  | "known"
  /** Newer than the segment (`created ≥ hi`): another segment's. */
  | "outside"
  /** Older than the segment: it is done once this page is processed. */
  | "floor";

/** One listed completion as the judge sees it: its id and its whole `created` second, null when unplaced (src/openai/createdOrder.ts). */
export interface ListedItem {
  readonly id: string;
  readonly created: number | null;
}

/** What one page means for a segment ({@link judgePage}). */
export interface PageJudgement {
  /** One verdict per judged item, the first `verdicts.length` of the page. */
  readonly verdicts: readonly ItemVerdict[];
  /** The bucket check and reread after them. */
  readonly check: BucketCheck | null;
  readonly reread: BucketRange | null;
  /** `created` of the last placed item judged (the next `at`); the segment's `at` when none was. */
  readonly at: number | null;
  /** Buckets (by `start`) whose count starts again from zero before the delivered completions are remembered: they are delivered again whole. */
  readonly resets: readonly number[];
  /** Completions the memory held in the buckets reset: delivered again (at most this many duplicates). */
  readonly redelivered: number;
  /** Late completions a bucket pinned down by its checksum (delivered alone, no duplicates). */
  readonly identified: number;
  /** A bucket begun on an earlier page failed its check: list again from here; the page's later items are not judged. */
  readonly rewind: { readonly after: string | null; readonly at: number | null } | null;
  /** The segment reached its floor (an item older than `lo`) or the end of the listing. */
  readonly done: boolean;
}

/** Options of {@link judgePage}. */
export interface JudgeOptions {
  /** The page is the listing's last (`has_more` false). */
  readonly last: boolean;
  /** Judge only the first `upTo` items (the rest still decide buckets that end on this page): the state after a partly accepted page. */
  readonly upTo?: number;
  /** Digests of unplaced completions already delivered. */
  readonly unplaced?: ReadonlySet<number>;
}

function covers(point: TimePoint | null, created: number, id: string): boolean {
  return point !== null && point.created === created && unpackDigests(point.ids).includes(digest32(id));
}

function delivered(segment: Segment, created: number, id: string): boolean {
  const { top, low } = segment.progress;
  return top !== null && low !== null && ((created < top.created && created > low.created) || covers(top, created, id) || covers(low, created, id));
}

const sameBucket = (a: BucketRange | null, b: Bucket) => a !== null && a.start === b.start;

/** What a bucket's listing says about it: the same as held; one more, with that digest; or anything else. */
type BucketFinding = { readonly kind: "same" } | { readonly kind: "one"; readonly digest: number } | { readonly kind: "changed" };

function compare(held: Bucket | undefined, count: number, sum: number): BucketFinding {
  if (held === undefined) return { kind: "changed" };
  if (count === held.count && sum === held.sum) return { kind: "same" };
  return count === held.count + 1 ? { kind: "one", digest: (sum - held.sum) >>> 0 } : { kind: "changed" };
}

/**
 * Judges one page of `segment`'s desc listing (`book`: the segment's memory for this call):
 * - `created` before `lo`: the floor; ≥ `hi`: another segment's; listed again after a restart: `again`;
 * - in an exact second of the memory: `known` when its digest is there, else `new` (a late arrival);
 * - in a bucket: the bucket's completions are counted and summed as listed and compared with the
 *   memory's count and sum. The same: all `known`. Exactly one more, and the sums differ by the
 *   digest of one listed completion: that one `new`, the others `known`. Anything else (several
 *   late, a deletion): all `new`, the bucket reset — delivered again whole. A bucket that ends on
 *   this page is decided at once; one that goes on beyond it is checked across pages, its
 *   completions `known` meanwhile, and a check that fails at the bucket's end asks to list again
 *   from where the bucket began (`rewind`). A bucket the listing enters midway (a restart, or one
 *   formed while it was being read) is delivered whole;
 * - anywhere else: `new`.
 * Unplaced completions (`created` null) are `known` when their digest is in `unplaced`, else `new`.
 */
export function judgePage(segment: Segment, book: MemoryBook | null, items: readonly ListedItem[], options: JudgeOptions): PageJudgement {
  const upTo = Math.min(options.upTo ?? items.length, items.length);
  let { check, reread } = segment.progress;
  let decided: BucketRange | null = null;
  let previous: { id: string | null; created: number | null } = { id: segment.progress.after, created: segment.progress.at };
  const verdicts: ItemVerdict[] = [];
  const resets: number[] = [];
  let redelivered = 0, identified = 0;
  const result = (rewind: PageJudgement["rewind"], done: boolean): PageJudgement => ({ verdicts, check, reread, at: rewind ? rewind.at : previous.created, resets, redelivered, identified, rewind, done });
  /** The range to deliver again after `finding` (not "same"); `from`: where the bucket's listing began. */
  const again = (bucket: BucketRange, finding: BucketFinding, from: BucketCheck["from"]): BucketRange => {
    if (finding.kind === "one") return { start: bucket.start, end: bucket.end, only: finding.digest, found: 0, from };
    resets.push(bucket.start);
    redelivered += book?.bucketAt(bucket.start)?.count ?? 0;
    return { start: bucket.start, end: bucket.end };
  };
  /** The verdict on a completion of the bucket in reread. */
  const pick = (id: string): ItemVerdict => {
    if (reread!.only === undefined) return "new";
    if (digest32(id) !== reread!.only) return "known";
    reread = { ...reread!, found: (reread!.found ?? 0) + 1 };
    identified++;
    return "new";
  };
  /** Ends the check when the listing left its bucket (or ended): null when it held, else where to list again from. */
  const endCheck = (): PageJudgement["rewind"] => {
    const finding = compare(book?.bucketAt(check!.start), check!.count, check!.sum);
    const from = check!.from;
    if (finding.kind !== "same") reread = again(check!, finding, from);
    check = null;
    return finding.kind === "same" ? null : from;
  };
  /**
   * Ends a reread when the listing left its bucket (or ended). A pinned-down completion that was
   * not found means the sums told something else (a deletion and two late ones, say): the bucket
   * is listed again from its start and delivered whole. Returns where to list from, or null.
   */
  const endReread = (): PageJudgement["rewind"] => {
    const range = reread!;
    reread = null;
    if (range.only === undefined || (range.found ?? 0) > 0 || !range.from) return null;
    reread = again(range, { kind: "changed" }, range.from);
    return range.from;
  };

  for (let i = 0; i < upTo; i++) {
    const { id, created } = items[i]!;
    if (created === null) {
      verdicts.push(options.unplaced?.has(digest32(id)) ? "known" : "new");
      previous = { id, created: previous.created };
      continue;
    }
    if (check && !inBucket(check, created)) {
      const rewind = endCheck();
      if (rewind) return result(rewind, false);
    }
    if (reread && !inBucket(reread, created)) {
      const rewind = endReread();
      if (rewind) return result(rewind, false);
    }
    if (decided && !inBucket(decided, created)) decided = null;
    if (created < segment.lo) {
      while (verdicts.length < upTo) verdicts.push("floor");
      return result(null, true);
    }
    if (segment.hi !== null && created >= segment.hi) {
      verdicts.push("outside");
      previous = { id, created };
      continue;
    }
    const bucket = book?.bucketAt(created);
    let verdict: ItemVerdict;
    if (!bucket) verdict = book?.has(created, id) ? "known" : "new";
    else if (sameBucket(reread, bucket)) verdict = pick(id);
    else if (sameBucket(decided, bucket)) verdict = "known";
    else if (sameBucket(check, bucket)) {
      check = { ...check!, count: check!.count + 1, sum: addDigest(check!.sum, digest32(id)) };
      verdict = "known";
    } else if (previous.created !== null && previous.created < bucket.end) {
      // Entered midway: what was listed of it before is unknown here, so it cannot be checked.
      reread = { start: bucket.start, end: bucket.end };
      verdict = "new";
    } else {
      const listed: number[] = [];
      let ends = options.last;
      for (const next of items.slice(i)) {
        if (next.created === null) continue;
        if (!inBucket(bucket, next.created)) { ends = true; break; }
        listed.push(digest32(next.id));
      }
      if (ends) {
        let finding = compare(bucket, listed.length, listed.reduce(addDigest, 0));
        if (finding.kind === "one" && listed.filter((d) => d === (finding as { digest: number }).digest).length !== 1) finding = { kind: "changed" };
        // A bucket delivered again is in reread until the listing leaves it, so the state after a part of the page says so.
        if (finding.kind === "same") decided = { start: bucket.start, end: bucket.end };
        else reread = again(bucket, finding, { after: previous.id, at: previous.created });
        verdict = sameBucket(decided, bucket) ? "known" : pick(id);
      } else {
        check = { start: bucket.start, end: bucket.end, count: 1, sum: digest32(id), from: { after: previous.id, at: previous.created } };
        verdict = "known";
      }
    }
    verdicts.push(delivered(segment, created, id) ? "again" : verdict);
    previous = { id, created };
  }
  if (upTo === items.length && options.last) {
    const rewind = (check ? endCheck() : null) ?? (reread ? endReread() : null);
    return rewind ? result(rewind, false) : result(null, true);
  }
  return result(null, false);
}

function extend(point: TimePoint | null, created: number, id: string, replaces: (candidate: number, current: number) => boolean): TimePoint {
  const digest = digest32(id);
  if (!point || replaces(created, point.created)) return { created, ids: packDigests([digest]) };
  if (created !== point.created) return point;
  const ids = unpackDigests(point.ids);
  return ids.includes(digest) ? point : { created, ids: packDigests([...ids, digest]) };
}

/**
 * Progress after the completions of one page were delivered; `after`/`at` name the page's last
 * judged completion, where the next page starts (or, after a rewind, where the bucket began), and
 * `buckets` is the judgement's check and reread. Kept even when the page delivered nothing, or
 * the next call would list the same page again. Unplaced completions (`created` null) take no part.
 */
export function recordDelivered(progress: SweepProgress, delivered: readonly { created: number | null; id: string }[], after: string | null, at: number | null,
  buckets: Pick<SweepProgress, "check" | "reread"> = progress): SweepProgress {
  let { top, low } = progress;
  for (const { created, id } of delivered) {
    if (created === null) continue;
    top = extend(top, created, id, (a, b) => a > b);
    low = extend(low, created, id, (a, b) => a < b);
  }
  return { ...progress, top, low, after, at, check: buckets.check, reread: buckets.reread };
}

/** A segment that has not read anything yet. */
export function newSegment(lo: number, hi: number | null, start: Anchor | null, memory: LateMemory | null): Segment {
  return { lo, hi, start, progress: { top: null, low: null, after: start?.id ?? null, at: start?.created ?? null, check: null, reread: null }, memory };
}

/** The oldest second a segment has read down to (everything newer in it was listed): +∞ before its first page. */
export function readDownTo(segment: Segment): number {
  return segment.progress.at ?? segment.hi ?? Number.POSITIVE_INFINITY;
}

/** Whether `anchor` can split `segment`: it lies strictly inside the part not read yet, on a boundary its memory can split at. */
export function canSplit(segment: Segment, anchor: Anchor): boolean {
  return anchor.created > segment.lo && anchor.created < readDownTo(segment) && (segment.memory === null || canSplitAt(segment.memory, anchor.created));
}

/**
 * Splits `segment` at `anchor` into the part it keeps, `[anchor.created, hi)`, and a new segment
 * `[lo, anchor.created)` that starts after the anchor. Each takes the late memory of its range.
 */
export function splitSegment(segment: Segment, anchor: Anchor): { readonly upper: Segment; readonly lower: Segment } {
  if (!canSplit(segment, anchor)) throw new Error(`cannot split [${segment.lo}, ${segment.hi ?? "∞"}) read down to ${readDownTo(segment)} at ${anchor.created}`);
  const parts = segment.memory ? splitMemory(segment.memory, anchor.created) : { below: null, atOrAbove: null };
  return {
    upper: { ...segment, lo: anchor.created, memory: parts.atOrAbove },
    lower: newSegment(segment.lo, anchor.created, anchor, parts.below),
  };
}
