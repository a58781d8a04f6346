import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyHttpFailure, classifyTransportFailure, type FailedRequest } from "../../src/openai/failures";

const NOW = Date.parse("2026-11-25T10:00:00Z");
const audit: FailedRequest = { dataType: "auditLogs", operation: "GET /v1/organization/audit_logs" };
const chat: FailedRequest = { dataType: "chatCompletions", operation: "GET /v1/chat/completions", cursor: "chatcmpl-gone" };
const err = (message: string, code: string | null = null, param: string | null = null) => ({ error: { message, type: "invalid_request_error", param, code } });

describe("classifyHttpFailure", () => {
  const cases: Array<[string, FailedRequest, number, Record<string, string>, unknown, Record<string, unknown>]> = [
    ["401 on audit logs names the admin key and audit logging", audit, 401, {}, err("Incorrect API key provided: sk-ad********abcd.", "invalid_api_key"),
      { kind: "unauthorized", status: 401 }],
    ["403 on completions names the project key", chat, 403, {}, err("Country, region, or territory not supported"), { kind: "unauthorized", status: 403 }],
    ["429 with Retry-After seconds", audit, 429, { "retry-after": "7" }, err("Rate limit reached", "rate_limit_exceeded"), { kind: "throttled", retryAfterMs: 7000, quota: false }],
    ["429 with retry-after-ms", audit, 429, { "retry-after-ms": "1500", "retry-after": "9" }, err("Rate limit"), { kind: "throttled", retryAfterMs: 1500, quota: false }],
    ["429 with only x-ratelimit-reset-requests", audit, 429, { "x-ratelimit-reset-requests": "6m0s" }, err("Rate limit"), { kind: "throttled", retryAfterMs: 360000, quota: false }],
    ["429 with an HTTP-date Retry-After", audit, 429, { "retry-after": "Wed, 25 Nov 2026 10:00:30 GMT" }, err("Rate limit"), { kind: "throttled", retryAfterMs: 30000, quota: false }],
    ["429 quota exhausted, no header", audit, 429, {}, err("You exceeded your current quota", "insufficient_quota"), { kind: "throttled", retryAfterMs: undefined, quota: true }],
    ["404 on a list with an after cursor", chat, 404, {}, err("No chat completion found"), { kind: "cursorInvalid", status: 404 }],
    ["400 naming the after param", { ...chat, cursor: "x" }, 400, {}, err("Invalid 'after'", null, "after"), { kind: "cursorInvalid", status: 400 }],
    ["400 without the cursor is fatal", audit, 400, {}, err("limit must be between 1 and 100", null, "limit"), { kind: "fatal", status: 400 }],
    ["404 without a cursor is notFound", audit, 404, {}, err("Invalid URL"), { kind: "notFound", status: 404 }],
    ["405 method not supported is fatal", chat, 405, {}, err("Only POST requests are accepted.", "method_not_supported"), { kind: "fatal", status: 405 }],
    ["500 is retriable", audit, 500, {}, err("The server had an error"), { kind: "retriable", status: 500 }],
    ["503 with an HTML body is retriable", audit, 503, {}, "<html>busy</html>", { kind: "retriable", status: 503 }],
    ["408 is retriable", audit, 408, {}, {}, { kind: "retriable", status: 408 }],
    ["x-should-retry forces a retry", audit, 400, { "x-should-retry": "true" }, err("odd"), { kind: "retriable", status: 400 }],
  ];
  for (const [name, request, status, headers, body, expected] of cases) {
    it(name, () => {
      const failure = classifyHttpFailure(request, status, headers, body, NOW);
      assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, (failure as Record<string, unknown>)[k]])), expected);
    });
  }

  it("says which key each data type needs, that audit logging must be on, and never echoes the key", () => {
    const a = classifyHttpFailure(audit, 401, {}, err("Incorrect API key provided: sk-admin-fake01"), NOW);
    const c = classifyHttpFailure(chat, 401, {}, err("bad"), NOW);
    assert.match(a.message, /organization admin API key/);
    assert.match(a.message, /audit logging must also be enabled/);
    assert.doesNotMatch(a.message, /fake01/);
    assert.match(c.message, /project API key/);
  });
});

describe("classifyTransportFailure", () => {
  for (const [code, message, kind] of [["ECONNRESET", "socket hang up", "retriable"], ["ECONNABORTED", "timeout of 45000ms exceeded", "retriable"], ["ETIMEDOUT", "", "retriable"],
    [undefined, "socket hang up", "retriable"], ["ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames", "fatal"], ["DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate", "fatal"]] as const) {
    it(`${code ?? "no code"}: ${message} → ${kind}`, () => assert.equal(classifyTransportFailure(audit, code, message).kind, kind));
  }
});
