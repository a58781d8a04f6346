import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyUploadFailure, worstFailure } from "../../src/sentinel/failures";

const target = { ruleId: "dcr-1", streamName: "Custom-OpenAIAuditLogs_CL", endpoint: "https://dce" };

describe("classifyUploadFailure", () => {
  const cases: Array<[string, Parameters<typeof classifyUploadFailure>[1], string, RegExp]> = [
    ["403 names the missing role on the DCR", { statusCode: 403, message: "The authentication token provided does not have access" }, "fatal", /Monitoring Metrics Publisher.*dcr-1/],
    ["401 names the missing role", { statusCode: 401, message: "bad token" }, "fatal", /Monitoring Metrics Publisher/],
    ["404 names the DCR id and stream", { statusCode: 404, message: "Data collection rule with immutable Id 'dcr-1' not found." }, "fatal", /DCR_IMMUTABLE_ID \(dcr-1\).*Custom-OpenAIAuditLogs_CL/],
    ["429 keeps Retry-After", { statusCode: 429, message: "throttled", retryAfterMs: 5000 }, "throttled", /throttled/],
    ["503 is retriable", { statusCode: 503, message: "busy" }, "retriable", /503/],
    ["a reset connection is retriable", { code: "ECONNRESET", message: "socket hang up" }, "retriable", /ECONNRESET/],
    ["400 is fatal", { statusCode: 400, message: "InvalidStream" }, "fatal", /InvalidStream/],
    ["413 is fatal", { statusCode: 413, message: "too large" }, "fatal", /413/],
  ];
  for (const [name, cause, kind, message] of cases) {
    it(name, () => {
      const failure = classifyUploadFailure(target, cause);
      assert.equal(failure.kind, kind);
      assert.match(failure.message, message);
    });
  }
  it("a 429 carries its delay", () => assert.deepEqual(classifyUploadFailure(target, { statusCode: 429, retryAfterMs: 5000 }), { kind: "throttled", status: 429, retryAfterMs: 5000, message: "Logs Ingestion Custom-OpenAIAuditLogs_CL on DCR dcr-1 → HTTP 429: throttled: " }));
  it("of several chunk failures the worst decides", () => {
    const r = classifyUploadFailure(target, { statusCode: 503 }), t = classifyUploadFailure(target, { statusCode: 429 }), f = classifyUploadFailure(target, { statusCode: 403 });
    assert.deepEqual([worstFailure([r, t]), worstFailure([r, f, t]), worstFailure([])], [t, f, undefined]);
  });
});
