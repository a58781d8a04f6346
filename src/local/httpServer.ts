/** Serves the registered HTTP functions on `http://localhost:<port>/api/...`, as the Functions host does. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequest, HttpResponse, type HttpResponseInit } from "@azure/functions";
import { ConfigError } from "../config";
import { invokeHttp, type DurableClientBinding } from "./durable/invoke";
import { registeredFunctions, type RegisteredFunction } from "./functionsCore";
import { matchRoute } from "./router";

/**
 * Default largest request body, bytes (1 MiB). The Functions host refuses bodies over
 * FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (default 104,857,600 bytes: Azure Functions app settings
 * reference; HTTP trigger "Limits") before a function runs; the local host does the same with a
 * default fit for a workstation: every route of this app takes a few KB at most (the management
 * API itself refuses bodies over 64 KiB).
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Longest request URL, bytes: the Functions host's limit (4 KB, HTTP trigger "Limits"). */
export const MAX_URL_BYTES = 4096;

/** How long the rest of a refused body is read and discarded before the connection is closed, ms. */
const DISCARD_MS = 10_000;

/** A running HTTP server. */
export interface LocalHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

async function toNodeResponse(result: HttpResponse | HttpResponseInit, res: http.ServerResponse): Promise<void> {
  if (result instanceof HttpResponse) {
    const body = Buffer.from(await result.arrayBuffer());
    res.writeHead(result.status, Object.fromEntries(result.headers.entries()));
    res.end(body);
    return;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((result.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = v;
  const body = result.jsonBody !== undefined ? JSON.stringify(result.jsonBody) : typeof result.body === "string" ? result.body : "";
  if (result.jsonBody !== undefined) headers["content-type"] ??= "application/json";
  res.writeHead(result.status ?? 200, headers);
  res.end(body);
}

/** Options of {@link startHttpServer}. */
export interface LocalHttpServerOptions {
  /**
   * When set, routes whose authLevel is not `anonymous` answer 401 unless the request carries this
   * key as `x-functions-key` or `?code=`, as the Functions host does with function keys.
   */
  readonly functionKey?: string;
  /** Largest request body, bytes; larger ones answer 413 unread (default {@link DEFAULT_MAX_BODY_BYTES}). */
  readonly maxBodyBytes?: number;
}

/**
 * The body limit from FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (bytes, the Functions host's setting),
 * {@link DEFAULT_MAX_BODY_BYTES} when unset; throws {@link ConfigError} naming the setting.
 */
export function maxBodyBytesSetting(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT?.trim();
  if (!raw) return DEFAULT_MAX_BODY_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT", `must be a whole number of bytes ≥ 1, got "${raw}"`);
  return n;
}

/** Whether a request may call `fn` under `options` (the Functions host's key check). */
function keyAccepted(fn: RegisteredFunction, req: http.IncomingMessage, url: URL, options: LocalHttpServerOptions): boolean {
  if (!options.functionKey || fn.bindings[fn.triggerName]?.authLevel === "anonymous") return true;
  return req.headers["x-functions-key"] === options.functionKey || url.searchParams.get("code") === options.functionKey;
}

/** An answer the host gives itself (before or instead of a function), with the API's error shape. */
class HostAnswer extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

/** Reads the body up to `limit` bytes; rejects with a 413 {@link HostAnswer} past it, keeping none of the rest. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new HostAnswer(413, "PayloadTooLarge", `The request body is larger than ${limit} bytes (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).`, "body");
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) { chunks.push(chunk); return; }
      req.off("data", onData);
      req.pause();
      chunks.length = 0;
      reject(tooLarge());
    };
    req.on("data", onData);
    req.once("end", () => { if (size <= limit) resolve(Buffer.concat(chunks).toString("utf8")); });
    req.once("error", reject);
  });
}

/**
 * Starts the server; `client` is read per request (the engine tests' worker receives it after
 * start-up). No request can throw out of the server: whatever fails answers with a JSON error.
 */
export async function startHttpServer(port: number, client: DurableClientBinding | (() => DurableClientBinding), log: (line: string) => void, options: LocalHttpServerOptions = {}): Promise<LocalHttpServer> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (Buffer.byteLength(req.url ?? "") > MAX_URL_BYTES) throw new HostAnswer(414, "UriTooLong", `The request URL is longer than ${MAX_URL_BYTES} bytes.`, "url");
    let url: URL;
    try {
      url = new URL(req.url ?? "/", `http://localhost:${port}`);
    } catch {
      throw new HostAnswer(400, "InvalidUrl", "The request URL cannot be parsed.", "url");
    }
    if (!url.pathname.startsWith("/api/")) throw new HostAnswer(404, "NotFound", `No route ${url.pathname}; the management API is under /api/collectors`);
    const match = matchRoute(registeredFunctions(), req.method ?? "GET", url.pathname.slice(5));
    if (match === undefined) throw new HostAnswer(404, "NotFound", `No route ${req.method} ${url.pathname}`);
    if (match === "methodNotAllowed") throw new HostAnswer(405, "MethodNotAllowed", `${req.method} is not allowed on ${url.pathname}`);
    if (!keyAccepted(match.fn, req, url, options)) { req.resume(); res.writeHead(401); res.end(); return; }
    const body = await readBody(req, limit);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === "string")) as Record<string, string>;
    const request = new HttpRequest({ method: req.method ?? "GET", url: url.toString(), headers, params: match.params, ...(body && req.method !== "GET" && req.method !== "HEAD" ? { body: { string: body } } : {}) });
    await toNodeResponse(await invokeHttp(match.fn, request, typeof client === "function" ? client() : client, log), res);
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const answer = error instanceof HostAnswer ? error : new HostAnswer(500, "InternalError", "The request failed; see the host log.");
      if (!(error instanceof HostAnswer)) log(`[http] ${req.method} ${(req.url ?? "").slice(0, 200)}: ${(error as Error)?.message ?? String(error)}`);
      if (res.headersSent) { res.destroy(); return; }
      // The rest of an unread body is discarded, not kept, for at most DISCARD_MS; then the connection closes.
      // No "connection: close": Node would close the socket as soon as the answer is written, and a client still
      // sending would then see a reset (EPIPE) instead of the answer.
      const unread = !req.readableEnded;
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: answer.code, message: answer.message, ...(answer.field ? { field: answer.field } : {}) } }));
      if (unread) {
        const timer = setTimeout(() => req.destroy(), DISCARD_MS);
        req.once("close", () => clearTimeout(timer));
        req.resume();
      }
    });
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(port, "127.0.0.1", resolve); });
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
