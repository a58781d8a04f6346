/** Secret scrubbing: keys and bearer tokens go, words that only name a kind of key stay. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactSecrets } from "../../src/redact";

describe("redactSecrets", () => {
  it("replaces key-shaped text, bearer tokens and given secrets, and keeps bare key-kind prefixes", () => {
    const text = [
      "key sk-admin-FAKE_key1", "key sk-proj-Zz9-abcdefgh", "key sk-svcacct-q1w2e3r4", "legacy sk-abcdefghijkl",
      "Authorization: Bearer eyJ0eXAi.abc", "custom demo-secret-value", "needs an admin key (sk-admin-…)",
      "or a project key (sk-proj-…, sk-svcacct-…)", "short sk-abc",
    ].join("\n");
    assert.equal(redactSecrets(text, ["demo-secret-value"]), [
      "key sk-[REDACTED]", "key sk-[REDACTED]", "key sk-[REDACTED]", "legacy sk-[REDACTED]",
      "Authorization: Bearer [REDACTED]", "custom [REDACTED]", "needs an admin key (sk-admin-…)",
      "or a project key (sk-proj-…, sk-svcacct-…)", "short sk-abc",
    ].join("\n"));
  });
});
