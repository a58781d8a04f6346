import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGoDurationMs, retryDelayFromHeaders } from "../../src/openai/retryDelay";

describe("parseGoDurationMs", () => {
  it("reads Go durations and rejects anything else", () => {
    assert.deepEqual(["1s", "6m0s", "20ms", "1h2m3.5s", "0.5s", "", "5", "1d", "s"].map(parseGoDurationMs), [1000, 360000, 20, 3723500, 500, undefined, undefined, undefined, undefined]);
  });
});

describe("retryDelayFromHeaders", () => {
  const now = Date.parse("2026-11-25T10:00:00Z");
  it("prefers retry-after-ms, then retry-after, then x-ratelimit-reset-requests", () => {
    assert.deepEqual([
      retryDelayFromHeaders({ "retry-after-ms": "250.4", "retry-after": "3", "x-ratelimit-reset-requests": "9s" }, now),
      retryDelayFromHeaders({ "retry-after": "3", "x-ratelimit-reset-requests": "9s" }, now),
      retryDelayFromHeaders({ "x-ratelimit-reset-requests": "9s" }, now),
      retryDelayFromHeaders({ "retry-after": "Wed, 25 Nov 2026 09:59:00 GMT" }, now),
      retryDelayFromHeaders({ "retry-after": "garbage" }, now),
      retryDelayFromHeaders({}, now),
    ], [251, 3000, 9000, 0, undefined, undefined]);
  });
});
