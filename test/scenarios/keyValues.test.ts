/**
 * Secret values that are not usable keys, and an OpenAI (or gateway) that echoes a refused key in
 * full in its 401 message: through the whole app (connection tests, collectors over several
 * generations). A value with a line break, space, control or non-ASCII character, or shorter than
 * 16 characters, is refused when read, naming the secret and never sent; an echoed key is scrubbed
 * from every answer, log line, history, status and health row.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CONNECTOR_HEALTH_STREAM } from "../../src/config";
import { startLocalApp, type LocalApp } from "../fakes/localApp";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const startTime = new Date(NOW - 3_600_000).toISOString();

/** Every text the app produced that a person or a table could see. */
function everything(app: LocalApp, answers: readonly string[]): string {
  return [...answers, ...app.logs, ...[...app.host.instances.values()].map((r) => JSON.stringify(r)), ...app.host.episodes.map((e) => JSON.stringify(e)),
    JSON.stringify(app.stack.ingestion.rows(CONNECTOR_HEALTH_STREAM))].join("\n");
}

describe("secret values and echoed keys", () => {
  it("refuses values that cannot be keys when they are read, naming the secret, and sends them nowhere", async () => {
    const app = await startLocalApp(NOW, { echoRejectedKey: true });
    try {
      const refused: Record<string, string> = { crlf: "abcd1234abcd1234\r\nX-Injected: yes", space: "abcd1234 abcd1234abcd", unicode: "sk-proj-ключключключключ", short: "k3y", wordy: "connector" };
      const answers: string[] = [];
      for (const [name, value] of Object.entries(refused)) {
        app.stack.vault.setSecret(`hostile-${name}`, value);
        const sent = app.stack.openai.requests.length;
        const unsaved = await app.api("POST", "/api/connection-tests", { dataType: "chatCompletions", apiKeySecretName: `hostile-${name}` });
        const put = await app.api("PUT", `/api/collectors/key-${name}`, { dataType: "chatCompletions", friendlyName: "Key", apiKeySecretName: `hostile-${name}`, startTime });
        await app.advance(10 * 60_000);
        const saved = await app.api("POST", `/api/collectors/key-${name}/test`);
        const view = (await app.api("GET", `/api/collectors/key-${name}`)).body as { status: string; lastError: { kind: string; message: string } };
        answers.push(unsaved.text, saved.text, JSON.stringify(view));
        const result = unsaved.body as { ok: boolean; outcome: string; message: string };
        assert.deepEqual([put.status, result.ok, result.outcome, (saved.body as { outcome: string }).outcome, view.status, view.lastError.kind, app.stack.openai.requests.length - sent],
          [201, false, "secretInvalid", "secretInvalid", "backingOff", "failed", 0], name);
        assert.match(result.message, new RegExp(`^Secret "hostile-${name}" does not hold a usable API key`));
        assert.match(view.lastError.message, new RegExp(`^Secret "hostile-${name}" does not hold a usable API key`));
      }
      const text = everything(app, answers);
      for (const value of [refused.crlf!, refused.space!, refused.unicode!]) assert.ok(!text.includes(value) && !text.includes(value.slice(0, 12)), `a refused value shows: ${value.slice(0, 6)}…`);
    } finally {
      await app.stop();
    }
  });

  it("scrubs a key the server echoes in full from every answer, log line, history, status and health row", async () => {
    const app = await startLocalApp(NOW, { echoRejectedKey: true });
    try {
      const gatewayKey = "3f9c2a7be41d4c0a9e6b5d8f7a1c2e3b";
      app.stack.vault.setSecret("gateway-key", gatewayKey);
      const answers: string[] = [];
      answers.push((await app.api("POST", "/api/connection-tests", { dataType: "chatCompletions", apiKeySecretName: "gateway-key" })).text);
      answers.push((await app.api("PUT", "/api/collectors/gateway", { dataType: "chatCompletions", friendlyName: "Gateway", apiKeySecretName: "gateway-key", startTime })).text);
      await app.advance(15 * 60_000);
      const test = await app.api("POST", "/api/collectors/gateway/test");
      const view = (await app.api("GET", "/api/collectors/gateway")).body as { status: string; lastError: { message: string } };
      answers.push(test.text, JSON.stringify(view), (await app.api("GET", "/api/collectors")).text);
      // The server did echo it: the 401 messages reached the app and were scrubbed.
      assert.deepEqual([(test.body as { outcome: string }).outcome, view.status], ["keyRejected", "unauthorized"]);
      assert.match(view.lastError.message, /Incorrect API key provided: \[REDACTED\]/);
      const text = everything(app, answers);
      assert.deepEqual([text.includes(gatewayKey), text.includes(gatewayKey.slice(0, 12)), text.includes(gatewayKey.slice(-12))], [false, false, false]);
    } finally {
      await app.stop();
    }
  });
});
