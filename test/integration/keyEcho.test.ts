/**
 * Upstreams that echo the API key (gateways, proxies): the real OpenAIClient against a real HTTP
 * server that puts the presented key into its error pages and bodies. No error message keeps the
 * key or any 8-character piece of it, on every path (HTTP failure, non-JSON body cut at 200
 * characters, malformed 200 of a list and of one completion, transport failure).
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { OpenAIClient } from "../../src/openai/client";

// A gateway key: nothing "sk-"-shaped, so only redaction with the key itself can remove it.
const KEY = "3f9c2a7be41d4c0a9e6b5d8f7a1c2e3b4d5f6a7b8c9d0e1f";

/** The longest piece of KEY (8 characters or more) found in `text`, or "". */
function leakedPiece(text: string): string {
  for (let n = KEY.length; n >= 8; n--) for (let i = 0; i + n <= KEY.length; i++) if (text.includes(KEY.slice(i, i + n))) return KEY.slice(i, i + n);
  return "";
}

describe("an upstream that echoes the key", () => {
  let server: http.Server;
  let client: OpenAIClient;
  before(async () => {
    server = http.createServer((req, res) => {
      const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      const url = req.url ?? "";
      if (url.includes("cut")) { res.writeHead(502, { "content-type": "text/html" }); res.end(`${"x".repeat(170)} upstream refused key=${key} (try again)`); return; }
      if (url.includes("json401")) { res.writeHead(401, { "content-type": "application/json" }); res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}`, code: "invalid_api_key" } })); return; }
      if (url.includes("reset")) { req.socket.destroy(); return; }
      // A 200 that is not what was asked for, quoting the key (a captive portal or a misrouted gateway).
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`not json: your key ${key}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new OpenAIClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxAttempts: 1 });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const paths: Array<[string, () => Promise<unknown>]> = [
    ["a non-JSON 502 whose echo straddles the 200-character cut", () => client.probe(KEY, "auditLogs", "cut")],
    ["a JSON 401 quoting the key", () => client.probe(KEY, "chatCompletions", "json401")],
    ["a malformed 200 of a list", () => client.listChatCompletions(KEY, {})],
    ["a malformed 200 of one completion", () => client.getChatCompletion(KEY, "chatcmpl-1")],
    ["a connection reset", () => client.probe(KEY, "auditLogs", "reset")],
  ];
  for (const [name, call] of paths) {
    it(`keeps no piece of the key in the error of ${name}`, async () => {
      const error = await call().then(() => undefined, (e: unknown) => e as Error);
      assert.ok(error instanceof Error, "the call should fail");
      assert.deepEqual([error.name, leakedPiece(error.message)], ["OpenAIError", ""], error.message);
    });
  }
});
