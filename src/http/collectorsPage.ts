/**
 * Serves the collectors page: `GET /api/ui` (the HTML) and `GET /api/ui/{*path}` (its script, style
 * and the lit-html modules, read from this package's own files and node_modules: no CDN, works
 * offline). The page holds no data and no secret, so these routes are anonymous; everything it
 * shows comes from the management API, which keeps `authLevel: function`.
 */
import fs from "node:fs";
import path from "node:path";
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { problem } from "./responses";

/**
 * Folder of the page's own files: `ui/` of a source checkout (dist/src/http → ../../../ui), else the
 * copy `npm run build` puts in `dist/ui/`, which is what a deployment package holds.
 */
export const UI_DIR = [path.resolve(__dirname, "..", "..", "..", "ui"), path.resolve(__dirname, "..", "..", "ui")].find((dir) => fs.existsSync(path.join(dir, "index.html")))
  ?? path.resolve(__dirname, "..", "..", "ui");

/** Where lit-html's browser build is (the package root, not its `node` export). */
function litHtmlDir(): string {
  let dir = path.dirname(require.resolve("lit-html"));
  while (path.basename(dir) !== "lit-html" && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

const TYPES: Readonly<Record<string, string>> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8" };

/**
 * The page's Content-Security-Policy: only this origin's scripts, styles and API; no inline
 * script, no framing, no form posts elsewhere.
 */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const COMMON_HEADERS = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "cache-control": "no-cache" };

/** Own assets by URL path; lit-html modules under `vendor/lit-html/` (top level and `directives/`). */
const OWN_ASSET = /^[a-z][a-z0-9-]*\.(?:js|css)$/;
const VENDOR_ASSET = /^vendor\/lit-html\/((?:directives\/)?[a-z][a-z0-9-]*\.js)$/;

/** Resolves an asset path (after `ui/`) to a file, or undefined for anything not served. */
export function assetFile(assetPath: string): string | undefined {
  if (OWN_ASSET.test(assetPath)) return path.join(UI_DIR, assetPath);
  const vendor = VENDOR_ASSET.exec(assetPath);
  if (vendor) return path.join(litHtmlDir(), vendor[1]!);
  return undefined;
}

const cache = new Map<string, string>();
function read(file: string): string | undefined {
  let text = cache.get(file);
  if (text === undefined) {
    if (!fs.existsSync(file)) return undefined;
    text = fs.readFileSync(file, "utf8");
    cache.set(file, text);
  }
  return text;
}

/** `GET /api/ui`: the page, with asset links under the path it was requested at. */
export function pageHandler(request: HttpRequest): Promise<HttpResponseInit> {
  const base = new URL(request.url).pathname.replace(/\/+$/, "");
  const html = read(path.join(UI_DIR, "index.html"));
  if (html === undefined) return Promise.resolve(problem(500, "PageMissing", `The page's files are missing from ${UI_DIR}; deploy the ui/ folder with the app.`));
  return Promise.resolve({
    status: 200,
    body: html.split("{{ASSETS}}").join(base),
    headers: { "content-type": TYPES[".html"]!, "content-security-policy": PAGE_CSP, ...COMMON_HEADERS },
  });
}

/** `GET /api/ui/{*path}`: one of the page's files; 404 for anything else. */
export function assetHandler(request: HttpRequest): Promise<HttpResponseInit> {
  const assetPath = request.params.path ?? "";
  const file = assetFile(assetPath);
  const text = file === undefined ? undefined : read(file);
  if (file === undefined || text === undefined) return Promise.resolve(problem(404, "NotFound", `No page file "${assetPath.slice(0, 80)}".`, "path"));
  return Promise.resolve({ status: 200, body: text, headers: { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", ...COMMON_HEADERS } });
}
