/** Where `npm run package` puts the deployment package (relative to the repository root, POSIX). */

/** Folder for everything packaging writes (git-ignored, in .funcignore). */
export const DEPLOY_DIR = ".deploy";
/** The staged package: what azd deploys (`dist` in azure.yaml) and where `func azure functionapp publish` runs. */
export const STAGE_DIR = `${DEPLOY_DIR}/app`;
/** The same files as one zip, for `az functionapp deployment source config-zip`. */
export const ZIP_FILE = `${DEPLOY_DIR}/openai-sentinel-connector.zip`;
