/**
 * The local host's HTTP server answers a request it refuses before reading its body (a 404 route,
 * a body over the limit) while the client is still sending: the rest of the body is read and
 * discarded, so the client gets the answer, not a reset (EPIPE) on its next write.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { describe, it } from "node:test";
import { startHttpServer } from "../../src/local/httpServer";

describe("the local host's HTTP server and a client still sending", () => {
  it("answers, and the client's later writes do not fail", async () => {
    const server = await startHttpServer(0, () => ({}) as never, () => undefined, { maxBodyBytes: 1024 });
    try {
      const outcome = await new Promise<{ status: number | null; errors: string[] }>((resolve) => {
        const req = http.request(new URL("/api/no-such-route", server.url), { method: "PUT", headers: { "content-type": "application/json" } });
        const errors: string[] = [];
        let status: number | null = null;
        req.on("response", (res) => { status = res.statusCode ?? null; res.resume(); });
        req.on("error", (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
        // 8 MB in 64 KB writes, one per millisecond: still sending long after the answer.
        const chunk = Buffer.alloc(64 * 1024, "[");
        let sent = 0;
        const timer = setInterval(() => {
          if (sent >= 8 * 1024 * 1024) { clearInterval(timer); setTimeout(() => { req.destroy(); resolve({ status, errors }); }, 100); return; }
          req.write(chunk);
          sent += chunk.length;
        }, 1);
      });
      assert.deepEqual(outcome, { status: 404, errors: [] });
    } finally {
      await server.close();
    }
  });
});
