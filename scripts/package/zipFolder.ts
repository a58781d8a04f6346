/** Writes a deployment zip of a folder's deployable files (the same selection azd makes). */
import fs from "node:fs";
import path from "node:path";
import { zipSync, type Zippable } from "fflate";
import { deployableFiles } from "./deployableFiles";

/** Fixed entry time, so the same files give the same zip bytes. */
const ENTRY_TIME = new Date("2000-01-01T00:00:00Z");

/**
 * Zip (deflate) of the files {@link deployableFiles} selects in `dir`, entries in sorted order.
 * Returns the zip bytes; throws the file system's error when a file cannot be read.
 */
export function zipFolder(dir: string): Uint8Array {
  const entries: Zippable = {};
  for (const rel of deployableFiles(dir)) entries[rel] = [fs.readFileSync(path.join(dir, rel)), { mtime: ENTRY_TIME }];
  return zipSync(entries, { level: 6 });
}
