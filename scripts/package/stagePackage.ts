/**
 * Stages the deployment package: the project's deployable files (see {@link deployableFiles})
 * copied into a folder of their own, plus a fresh `npm ci --omit=dev` there, so the package holds
 * production dependencies only whatever the developer's node_modules holds. azd deploys that
 * folder (`dist` in azure.yaml, filled by its `prepackage` hook); `func azure functionapp publish`
 * is run from it.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { deployableFiles, FUNCIGNORE } from "./deployableFiles";

/** What {@link stagePackage} produced. */
export interface StagedPackage {
  /** Absolute path of the staged folder. */
  readonly dir: string;
  /** Files copied from the project (relative POSIX paths), before node_modules was installed. */
  readonly projectFiles: readonly string[];
}

/** The staging step failed; `message` says which step and carries npm's output. */
export class StagingError extends Error {
  override readonly name = "StagingError";
}

/**
 * Replaces `stageDir` with the deployable files of `root` (the project's own node_modules and
 * the stage folder itself left out) and installs production dependencies into it from
 * package-lock.json. Install scripts are not run: no production dependency needs one, and a
 * native module would have to be built for Linux x64 anyway.
 * Throws {@link StagingError} when the project is not built (no `main` file) or npm fails.
 */
export function stagePackage(root: string, stageDir: string): StagedPackage {
  const dir = path.resolve(stageDir);
  const projectRoot = path.resolve(root);
  const relStage = path.relative(projectRoot, dir).split(path.sep)[0]!;
  const projectFiles = deployableFiles(projectRoot, { alsoSkip: ["node_modules", relStage] });
  const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { main?: string };
  if (manifest.main && !projectFiles.includes(path.posix.normalize(manifest.main))) {
    throw new StagingError(`package.json main (${manifest.main}) is not among the deployable files: run npm run build first, and keep it out of ${FUNCIGNORE}`);
  }
  if (!projectFiles.includes("package-lock.json")) throw new StagingError(`package-lock.json is missing or excluded by ${FUNCIGNORE}: npm ci needs it`);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const rel of [...projectFiles, FUNCIGNORE]) {
    const from = path.join(projectRoot, rel);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, rel));
  }
  const npm = spawnSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: dir,
    encoding: "utf8",
    shell: process.platform === "win32",
    timeout: 10 * 60_000,
  });
  if (npm.status !== 0) throw new StagingError(`npm ci --omit=dev failed in ${dir} (exit ${npm.status ?? npm.signal}): ${npm.error?.message ?? ""}${npm.stderr}`);
  return { dir, projectFiles };
}
