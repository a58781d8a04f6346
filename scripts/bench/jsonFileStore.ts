/**
 * The benchmark's baseline state store: what the local host did before SQLite — the whole state
 * as one JSON file, rewritten (temp file + rename) whenever anything changed, at most every
 * `intervalMs`, and at once for activity results.
 */
import fs from "node:fs";
import type { HostSnapshot } from "../../src/local/durable/records";
import type { DurableStore, StoreStats } from "../../src/local/durable/store";

/** Whole-state JSON rewrites. */
export class JsonFileStore implements DurableStore {
  private pending: NodeJS.Timeout | undefined;
  private dirty = false;
  private readonly counters = { transactions: 0, rowsWritten: 0, payloadBytes: 0, largestTransactionBytes: 0 };

  constructor(readonly file: string, private readonly snapshot: () => HostSnapshot, private readonly intervalMs = 100) {}

  get stats(): StoreStats {
    return { ...this.counters };
  }

  load(): HostSnapshot | undefined {
    return fs.existsSync(this.file) ? (JSON.parse(fs.readFileSync(this.file, "utf8")) as HostSnapshot) : undefined;
  }

  changed(_change: unknown, urgent: boolean): void {
    this.dirty = true;
    if (urgent) this.flush();
    else this.pending ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    const text = JSON.stringify(this.snapshot());
    fs.writeFileSync(`${this.file}.tmp`, text);
    fs.renameSync(`${this.file}.tmp`, this.file);
    const bytes = Buffer.byteLength(text);
    this.counters.transactions++;
    this.counters.rowsWritten++;
    this.counters.payloadBytes += bytes;
    this.counters.largestTransactionBytes = Math.max(this.counters.largestTransactionBytes, bytes);
  }

  close(): void {
    this.flush();
  }
}
