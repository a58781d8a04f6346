/**
 * Issue #10 part 5 over real sockets: OpenAI's own stored-completion example (API reference,
 * "The chat completion list object", `"seed": 4944116822809979520`) goes through the real client,
 * the activity and the real LogsIngestionClient; the JSON the Logs Ingestion endpoint receives
 * carries `Seed` with the exact digits, and `SeedText` keeps them.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { collectChatCompletions } from "../../activities/collectChatCompletions";
import { CHAT_COMPLETIONS_STREAM } from "../../src/config";
import { newSegment } from "../../src/cursors/completionSweep";
import { parseListPage } from "../../src/openai/parse";
import type { ChatCompletion } from "../../src/openai/types";
import { startStack, type Stack } from "../fakes/stack";

const example = fs.readFileSync(path.join(__dirname, "../../../test/fixtures/chat-completions-list.example.json"), "utf8");

describe("the 64-bit seed of OpenAI's example", () => {
  let stack: Stack;
  const bodies: string[] = [];
  before(async () => { stack = await startStack(); });
  after(async () => { await stack.stop(); });

  it("arrives in Seed with its exact digits", async () => {
    stack.openai.addCompletions(parseListPage<ChatCompletion>(example).data);
    stack.ingestion.onBody = (text) => bodies.push(text);
    const result = await collectChatCompletions(stack.deps)({ collectorId: "c", connectorName: "C", apiKeySecretName: "openai-project-key", segment: newSegment(0, null, null, null), restartFrom: [], rememberSince: 0, lateAtOrBelow: null, memoryBudget: 10_000, maxPages: 2, countModels: false });
    assert.equal(result.rowsWritten, 1);
    const sent = bodies.join("\n");
    assert.deepEqual([/"Seed":4944116822809979520[,}]/.test(sent), /"SeedText":"4944116822809979520"/.test(sent), stack.ingestion.rows(CHAT_COMPLETIONS_STREAM).map((r) => r.Id)],
      [true, true, ["chatcmpl-AyPNinnUqUDYo9SAdA52NobMflmj2"]]);
  });
});
