/**
 * The packed forms of the late memory's two parts (src/cursors/lateMemory.ts), as base64url
 * strings: per remembered second, a varint offset from the previous one, a varint count and that
 * many 32-bit big-endian digests; per bucket, varint offsets for its start and width, a varint
 * count and its 32-bit sum. Pure.
 *
 * Decoding throws `Error("late memory is truncated")` on a cut-off string.
 */
import type { Bucket } from "./lateMemory";

/** A {@link Bucket} while a working copy of the memory changes it. */
export type MutableBucket = { -readonly [K in keyof Bucket]: Bucket[K] };

function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
}

/** Bytes the varint form of `value` (a whole number ≥ 0) takes. */
export function varintLength(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) n++;
  return n;
}

function pushUint32(out: number[], value: number): void {
  out.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}
  get more(): boolean { return this.at < this.bytes.length; }
  varint(): number {
    let value = 0, scale = 1;
    for (;;) {
      if (this.at >= this.bytes.length) throw new Error("late memory is truncated");
      const b = this.bytes[this.at++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
  }
  uint32s(count: number): number[] {
    if (this.at + count * 4 > this.bytes.length) throw new Error("late memory is truncated");
    const out: number[] = [];
    for (let i = 0; i < count; i++, this.at += 4) out.push(this.bytes.readUInt32BE(this.at));
    return out;
  }
}

/** Packs the digests of each second at or after `since` (seconds in any order; empty seconds dropped). */
export function encodeExact(since: number, seconds: ReadonlyMap<number, readonly number[]>): string {
  const bytes: number[] = [];
  let previous = since;
  for (const second of [...seconds.keys()].sort((a, b) => a - b)) {
    const digests = seconds.get(second)!;
    if (digests.length === 0 || second < since) continue;
    pushVarint(bytes, second - previous);
    pushVarint(bytes, digests.length);
    for (const d of digests) pushUint32(bytes, d);
    previous = second;
  }
  return Buffer.from(bytes).toString("base64url");
}

/** Unpacks {@link encodeExact}'s form: second (Unix seconds) → digests. */
export function decodeExact(since: number, text: string): Map<number, number[]> {
  const reader = new Reader(Buffer.from(text, "base64url"));
  const out = new Map<number, number[]>();
  let second = since;
  while (reader.more) {
    second += reader.varint();
    out.set(second, reader.uint32s(reader.varint()));
  }
  return out;
}

/** Packs buckets (in order, not overlapping, none before `since`). */
export function encodeBuckets(since: number, buckets: readonly Bucket[]): string {
  const bytes: number[] = [];
  let previous = since;
  for (const b of buckets) {
    pushVarint(bytes, b.start - previous);
    pushVarint(bytes, b.end - b.start);
    pushVarint(bytes, b.count);
    pushUint32(bytes, b.sum);
    previous = b.end;
  }
  return Buffer.from(bytes).toString("base64url");
}

/** Unpacks {@link encodeBuckets}'s form. */
export function decodeBuckets(since: number, text: string): MutableBucket[] {
  const reader = new Reader(Buffer.from(text, "base64url"));
  const out: MutableBucket[] = [];
  let previous = since;
  while (reader.more) {
    const start = previous + reader.varint();
    const end = start + reader.varint();
    const count = reader.varint();
    const [sum] = reader.uint32s(1);
    out.push({ start, end, count, sum: sum! });
    previous = end;
  }
  return out;
}
