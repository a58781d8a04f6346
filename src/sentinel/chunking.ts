/**
 * Splits rows into request bodies that respect the Logs Ingestion 1 MB limit. The SDK chunks
 * too, but counts only the rows' own bytes (not the array's brackets and commas), so its chunks
 * can exceed 1,000,000 bytes by `rows + 1`. Chunks from here always fit, so the SDK sends each
 * as exactly one request. Pure.
 */

/** Default budget of one request body: under the 1,000,000-byte limit with margin. */
export const MAX_REQUEST_BODY_BYTES = 950_000;

/**
 * Groups rows, in order, into chunks whose serialized JSON array is at most `maxBytes`. A row
 * that alone exceeds the budget gets a chunk of its own (rows are fitted upstream so this
 * cannot reach the service limit).
 */
export function chunkRows<T>(rows: readonly T[], maxBytes: number = MAX_REQUEST_BODY_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 2; // "[" and "]"
  for (const row of rows) {
    const rowBytes = Buffer.byteLength(JSON.stringify(row), "utf8");
    const added = rowBytes + (current.length > 0 ? 1 : 0); // a comma between rows
    if (current.length > 0 && size + added > maxBytes) {
      chunks.push(current);
      current = [];
      size = 2;
    }
    size += rowBytes + (current.length > 0 ? 1 : 0);
    current.push(row);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
