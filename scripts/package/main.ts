/**
 * `npm run package`: stages the deployment package into .deploy/app (what azd deploys, see
 * azure.yaml) and writes the same files as one zip, for `az functionapp deployment source
 * config-zip`. Prints where and how big; exits 1 with the reason when staging fails.
 */
import fs from "node:fs";
import path from "node:path";
import { STAGE_DIR, ZIP_FILE } from "./layout";
import { stagePackage, StagingError } from "./stagePackage";
import { zipFolder } from "./zipFolder";

const ROOT = path.resolve(__dirname, "../../..");

try {
  const staged = stagePackage(ROOT, path.join(ROOT, STAGE_DIR));
  const zip = zipFolder(staged.dir);
  fs.writeFileSync(path.join(ROOT, ZIP_FILE), zip);
  console.log(`staged ${STAGE_DIR}; wrote ${ZIP_FILE} (${(zip.byteLength / 1_000_000).toFixed(1)} MB)`);
} catch (error) {
  console.error(error instanceof StagingError ? error.message : error);
  process.exitCode = 1;
}
