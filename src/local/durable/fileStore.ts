/** Keeps the local host's durable state in one JSON file, written atomically (temp file + rename). */
import fs from "node:fs";
import path from "node:path";
import type { HostSnapshot } from "./records";

/** Saves snapshots at most every `intervalMs`, and on demand. */
export class FileStore {
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly file: string, private readonly snapshot: () => HostSnapshot, private readonly intervalMs = 100) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  /** The saved state, or undefined on a first start. */
  load(): HostSnapshot | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    return JSON.parse(fs.readFileSync(this.file, "utf8")) as HostSnapshot;
  }

  /** Saves now when `urgent`, else schedules a save (coalescing bursts of changes). */
  changed(urgent = false): void {
    if (urgent) this.flush();
    else this.pending ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Saves now. */
  flush(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    const temp = `${this.file}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(this.snapshot()));
    fs.renameSync(temp, this.file);
  }
}
