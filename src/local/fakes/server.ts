/** Small helpers shared by the local fakes: start/stop a server on 127.0.0.1, read bodies, answer JSON. */
import { stringifyExact } from "../../json/exactJson";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import type { TestTls } from "./tls";

/** A running fake. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 (HTTPS when `tls` is given) on a free port, or `port`. */
export async function listen(handler: http.RequestListener, tls?: TestTls, port = 0): Promise<RunningServer> {
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  const sockets = new Set<import("node:net").Socket>();
  server.on(tls ? "secureConnection" : "connection", (s: import("node:net").Socket) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(port, "127.0.0.1", resolve); });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? "https" : "http"}://${tls ? "localhost" : "127.0.0.1"}:${actual}`,
    port: actual,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

/** Reads the whole request body, gunzipping when `content-encoding: gzip`. */
export async function readBody(req: http.IncomingMessage): Promise<{ raw: Buffer; text: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const text = req.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  return { raw, text };
}

/** Answers JSON, gzipped when the client accepts it. */
export function sendJson(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : stringifyExact(body);
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) && text.length > 256;
  const payload = gzip ? zlib.gzipSync(text) : Buffer.from(text);
  res.writeHead(status, { "content-type": "application/json", ...(gzip ? { "content-encoding": "gzip" } : {}), "content-length": String(payload.length), ...headers });
  res.end(payload);
}

/** A bearer token from the Authorization header, if any. */
export function bearer(req: http.IncomingMessage): string | undefined {
  const match = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""));
  return match?.[1];
}
