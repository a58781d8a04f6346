/**
 * Which files of a folder a Functions deployment uploads, decided the way the deployment tools
 * decide it, so the package test sees the zip users get.
 *
 * Sources (behaviour, not code):
 * - azd `createDeployableZip` (Azure/azure-dev, cli/azd/pkg/project): walks the package folder,
 *   leaves out every `.azure` folder, the ignore file itself (`.funcignore` for `host: function`)
 *   and every `local.settings.json`, then whatever `.funcignore` matches (gitignore syntax); with
 *   a `.funcignore` present, `node_modules` is kept (it is dropped by default only when
 *   `remoteBuild` is not false). Symbolic links are followed.
 * - Core Tools `func azure functionapp publish` (Azure/azure-functions-core-tools, ZipHelper /
 *   PublishHelper): zips the function app root minus what `.funcignore` matches.
 * The `ignore` package implements gitignore matching (the library ESLint uses).
 */
import fs from "node:fs";
import path from "node:path";
import ignore from "ignore";

/** Name of the ignore file both tools read for Functions. */
export const FUNCIGNORE = ".funcignore";

/** Options of {@link deployableFiles}. */
export interface DeployableFilesOptions {
  /** Top-level entries to leave out in addition to the tools' rules (relative names, e.g. `node_modules`). */
  readonly alsoSkip?: readonly string[];
}

/**
 * Relative POSIX paths of the files a deployment of `root` uploads, sorted.
 * Throws the file system's error when `root` cannot be read.
 */
export function deployableFiles(root: string, options: DeployableFilesOptions = {}): string[] {
  const ignoreFile = path.join(root, FUNCIGNORE);
  const rules = ignore().add(fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, "utf8").replace(/^\uFEFF/, "") : "");
  const skipTop = new Set(options.alsoSkip ?? []);
  const files: string[] = [];
  const walk = (relDir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relDir), { withFileTypes: true })) {
      const rel = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      if (relDir === "" && skipTop.has(entry.name)) continue;
      const isDir = entry.isSymbolicLink() ? fs.statSync(path.join(root, rel)).isDirectory() : entry.isDirectory();
      if (isDir && entry.name === ".azure") continue;
      if (!isDir && (entry.name === FUNCIGNORE || entry.name === "local.settings.json")) continue;
      if (rules.ignores(isDir ? `${rel}/` : rel)) continue;
      if (isDir) walk(rel);
      else files.push(rel);
    }
  };
  walk("");
  return files.sort();
}
