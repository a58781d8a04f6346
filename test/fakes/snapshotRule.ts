/**
 * The rule of the OpenAIUsage and OpenAICosts parsers (content/Parsers/OpenAIUsage.yaml,
 * OpenAICosts.yaml), step by step as their KQL states it, over rows the Logs Ingestion fake
 * accepted. No KQL engine runs in-process here (see test/content/detectionSamples.test.ts), so the
 * scenario tests compute the parsers' result with this mirror; test/content checks that the KQL
 * analyses cleanly and keeps these steps.
 */

/** A row as accepted. */
export type Row = Record<string, unknown>;

const bucketKey = (r: Row) => JSON.stringify([r.CollectorId, r.Family ?? null, r.BucketWidth, r.BucketStart]);

/**
 * 1. one entry per (bucket, CollectedAt, Id); 2. a snapshot (bucket, CollectedAt) is complete when
 * it has SnapshotResults distinct ids; 3. per bucket the newest complete snapshot; 4. its rows;
 * 5. without the row that records an empty bucket; 6. one row per (CollectorId, Id).
 */
export function parserResult(rows: readonly Row[]): Row[] {
  const snapshots = new Map<string, { ids: Set<string>; expected: number }>();
  for (const r of rows) {
    const key = JSON.stringify([bucketKey(r), r.CollectedAt]);
    const s = snapshots.get(key) ?? { ids: new Set<string>(), expected: 0 };
    s.ids.add(String(r.Id));
    s.expected = Math.max(s.expected, Number(r.SnapshotResults));
    snapshots.set(key, s);
  }
  const newest = new Map<string, string>();
  for (const [key, s] of snapshots) {
    if (s.ids.size < s.expected) continue;
    const [bucket, collectedAt] = JSON.parse(key) as [string, string];
    const current = newest.get(bucket);
    if (current === undefined || collectedAt > current) newest.set(bucket, collectedAt);
  }
  const out = new Map<string, Row>();
  for (const r of rows) {
    if (newest.get(bucketKey(r)) !== r.CollectedAt || Number(r.SnapshotResults) <= 0) continue;
    out.set(JSON.stringify([r.CollectorId, r.Id]), r);
  }
  return [...out.values()];
}
