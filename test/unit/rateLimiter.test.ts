import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateLimiter } from "../../src/openai/rateLimiter";

describe("RateLimiter", () => {
  it("lets a burst of `perSecond` through at once, then spaces requests 1/perSecond apart, in order", async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limiter = new RateLimiter(5, () => now, (ms) => { sleeps.push(ms); now += ms; return Promise.resolve(); });
    const granted: number[] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => limiter.take().then(() => granted.push(i))));
    assert.deepEqual([granted, sleeps, now], [[0, 1, 2, 3, 4, 5, 6, 7], [200, 200, 200], 600]);
  });
});
