/**
 * The page's files: the HTML links its assets under the path it was requested at, every module it
 * imports (its own and lit-html's) is served, and nothing outside that list is.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpRequest, type HttpResponseInit } from "@azure/functions";
import { assetHandler, PAGE_CSP, pageHandler } from "../../src/http/collectorsPage";

const get = (url: string, params: Record<string, string> = {}) => new HttpRequest({ method: "GET", url, params });
const asset = (path: string) => assetHandler(get(`http://localhost:7071/api/ui/${path}`, { path }));
const header = (res: HttpResponseInit, name: string) => (res.headers as Record<string, string>)[name];

describe("collectors page files", () => {
  it("serves the page with its CSP and asset links under the requested path, with or without a trailing slash", async () => {
    for (const [url, prefix] of [["http://localhost:7071/api/ui", "/api/ui"], ["https://app.example/api/ui/", "/api/ui"]] as const) {
      const res = await pageHandler(get(url));
      assert.deepEqual([res.status, header(res, "content-type"), header(res, "content-security-policy")], [200, "text/html; charset=utf-8", PAGE_CSP]);
      const links = [...(res.body as string).matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(links, ["data:,", `${prefix}/app.css`, `${prefix}/app.js`]);
    }
  });

  it("serves every module the page imports, following imports from app.js", async () => {
    const seen = new Set<string>();
    const queue = ["app.js"];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await asset(path);
      assert.deepEqual([path, res.status, header(res, "content-type")], [path, 200, "text/javascript; charset=utf-8"]);
      for (const [, spec] of (res.body as string).matchAll(/(?:import|export)\s*(?:[^"';]*?from\s*)?["']([^"']+)["']/g)) {
        assert.ok(spec!.startsWith("."), `${path} imports a bare specifier ${spec}`);
        queue.push(new URL(spec!, `http://x/${path}`).pathname.slice(1));
      }
    }
    assert.ok(seen.has("vendor/lit-html/lit-html.js") && seen.has("vendor/lit-html/directives/repeat.js") && seen.size >= 7, [...seen].join(", "));
  });

  it("refuses paths outside its list", async () => {
    const paths = ["../package.json", "vendor/lit-html/../../package.json", "vendor/lit-html/development/lit-html.js", "vendor/lit-html/lit-html.js.map", "index.html", "APP.js", "vendor/other/x.js", "missing.js"];
    const statuses = await Promise.all(paths.map(async (p) => (await asset(p)).status));
    assert.deepEqual(statuses, paths.map(() => 404));
  });
});
