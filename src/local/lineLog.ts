/**
 * An append-only text file of lines that stays bounded for a host that runs for weeks: when it
 * passes `maxBytes` it is renamed to `<file>.1` (replacing the previous one) and a new file starts,
 * so at most about twice `maxBytes` is on disk.
 */
import fs from "node:fs";

/** Default size at which a log file is rotated: 10 MiB. */
export const DEFAULT_LOG_MAX_BYTES = 10 * 2 ** 20;

/** A rotating line log. */
export class LineLog {
  private fd: number;
  private size: number;

  constructor(readonly file: string, private readonly maxBytes = DEFAULT_LOG_MAX_BYTES) {
    this.fd = fs.openSync(file, "a");
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Appends one line (a newline is added). */
  write(line: string): void {
    const text = `${line}\n`;
    if (this.size > 0 && this.size + Buffer.byteLength(text) > this.maxBytes) this.rotate();
    this.size += fs.writeSync(this.fd, text);
  }

  /** Closes the file. */
  close(): void {
    fs.closeSync(this.fd);
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    fs.renameSync(this.file, `${this.file}.1`);
    this.fd = fs.openSync(this.file, "a");
    this.size = 0;
  }
}
