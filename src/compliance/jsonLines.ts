/**
 * Reading a downloaded JSON Lines file line by line: Node's readline over a file stream holds one
 * chunk (64 KB) and one line at a time, so memory does not grow with the file. Lines are numbered
 * from 1 and blank ones counted, so a line number names the same record on every read of the
 * (immutable) file.
 */
import fs from "node:fs";
import readline from "node:readline";
import { parseJsonExact } from "../json/exactJson";
import type { JsonObject } from "../openai/types";

/** One line of a file. */
export interface NumberedLine {
  /** 1-based. */
  readonly line: number;
  readonly text: string;
}

/** The lines of the file at `path` after line `skip` (0 reads all), in order. */
export async function* readLines(path: string, skip = 0): AsyncGenerator<NumberedLine> {
  const input = fs.createReadStream(path, { encoding: "utf8" });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (line > skip) yield { line, text };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * The record on one line: a JSON object, or undefined for a blank line. Integers beyond 2^53 stay
 * exact ({@link parseJsonExact}). Throws an Error that names the line but never quotes it (a line
 * can hold message text).
 */
export function parseRecord(line: NumberedLine, fileId: string): JsonObject | undefined {
  if (line.text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = parseJsonExact(line.text);
  } catch {
    throw new SyntaxError(`line ${line.line} of log file ${fileId} is not JSON (${line.text.length} characters)`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SyntaxError(`line ${line.line} of log file ${fileId} is not a JSON object`);
  return value as JsonObject;
}
