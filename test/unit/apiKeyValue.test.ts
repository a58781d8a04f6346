/** What a secret must hold to be used as a key, and scrubbing before cutting. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { apiKeyValueProblem, MIN_API_KEY_CHARS } from "../../src/secrets/apiKeyValue";
import { SecretCache } from "../../src/secrets/secretCache";
import { isSecretReadError } from "../../src/secrets/keyVaultFailures";
import { redactSecrets, redactThenCut } from "../../src/redact";

describe("API key values", () => {
  it("accepts one line of visible ASCII of at least 16 characters, refuses anything else by the secret's name", () => {
    const values: Array<[string, string | undefined]> = [
      ["sk-proj-FAKE_key-0001", undefined],
      ["3f9c2a7be41d4c0a9e6b5d8f7a1c2e3b", undefined],
      ["a".repeat(MIN_API_KEY_CHARS), undefined],
      ["a".repeat(MIN_API_KEY_CHARS - 1), "shorter"],
      ["abcd1234abcd1234\r\nX-Injected: yes", "character"],
      ["abcd1234\tabcd1234abcd", "character"],
      ["abcd1234 abcd1234abcd", "character"],
      ["sk-proj-ключключключключ", "character"],
      ["sk-proj-abc\u0000defghijklmnop", "character"],
    ];
    assert.deepEqual(values.map(([value]) => {
      const problem = apiKeyValueProblem("my-secret", value);
      return problem === undefined ? undefined : problem.includes("shorter") ? "shorter" : problem.includes("character") ? "character" : problem;
    }), values.map(([, expected]) => expected));
    for (const [value, expected] of values) if (expected) assert.ok(!apiKeyValueProblem("my-secret", value)!.includes(value.slice(0, 8)), "the message never shows the value");
  });

  it("makes the secret cache refuse such a value with a SecretReadError that names the secret and marks the value invalid, and not cache it", async () => {
    let reads = 0;
    const cache = new SecretCache(() => { reads++; return Promise.resolve("abcd1234abcd1234\nmore"); });
    const attempts = await Promise.all([cache.get("gateway"), cache.get("gateway")].map((p) => p.then(() => undefined, (e: unknown) => e)));
    assert.deepEqual(attempts.map((e) => isSecretReadError(e) ? [e.failure.kind, e.failure.invalidValue, e.message.startsWith('Secret "gateway" does not hold a usable API key')] : e), [["fatal", true, true], ["fatal", true, true]]);
    assert.equal(reads, 2);
  });
});

describe("scrubbing before cutting", () => {
  const key = "3f9c2a7be41d4c0a9e6b5d8f7a1c2e3b4d5f6a7b";
  it("leaves no piece of a key that straddles the cut, which cutting first would", () => {
    const text = `${"x".repeat(190)} key=${key} end`;
    assert.equal(redactThenCut(text, 200, [key]), `${"x".repeat(190)} key=[REDA…`);
    assert.ok(redactSecrets(text.slice(0, 200), [key]).includes(key.slice(0, 5)), "the old order kept a piece");
  });
  it("scrubs every given secret however short, and leaves a text under the limit whole", () => {
    assert.deepEqual([redactThenCut("a k3y b", 200, ["k3y"]), redactThenCut("abc", 3)], ["a [REDACTED] b", "abc"]);
  });
});
