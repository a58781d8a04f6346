/** Serves the registered HTTP functions on `http://localhost:<port>/api/...`, as the Functions host does. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequest, HttpResponse, type HttpResponseInit } from "@azure/functions";
import { invokeHttp, type DurableClientBinding } from "./durable/invoke";
import { registeredFunctions, type RegisteredFunction } from "./functionsCore";
import { matchRoute } from "./router";

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
}

/** Whether a request may call `fn` under `options` (the Functions host's key check). */
function keyAccepted(fn: RegisteredFunction, req: http.IncomingMessage, url: URL, options: LocalHttpServerOptions): boolean {
  if (!options.functionKey || fn.bindings[fn.triggerName]?.authLevel === "anonymous") return true;
  return req.headers["x-functions-key"] === options.functionKey || url.searchParams.get("code") === options.functionKey;
}

/** Starts the server; `client` is read per request (the engine tests' worker receives it after start-up). */
export async function startHttpServer(port: number, client: DurableClientBinding | (() => DurableClientBinding), log: (line: string) => void, options: LocalHttpServerOptions = {}): Promise<LocalHttpServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", `http://localhost:${port}`);
      const send = (status: number, code: string, message: string) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify({ error: { code, message } })); };
      if (!url.pathname.startsWith("/api/")) return send(404, "NotFound", `No route ${url.pathname}; the management API is under /api/collectors`);
      const match = matchRoute(registeredFunctions(), req.method ?? "GET", url.pathname.slice(5));
      if (match === undefined) return send(404, "NotFound", `No route ${req.method} ${url.pathname}`);
      if (match === "methodNotAllowed") return send(405, "MethodNotAllowed", `${req.method} is not allowed on ${url.pathname}`);
      if (!keyAccepted(match.fn, req, url, options)) { req.resume(); res.writeHead(401); res.end(); return; }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === "string")) as Record<string, string>;
      const request = new HttpRequest({ method: req.method ?? "GET", url: url.toString(), headers, params: match.params, ...(body && req.method !== "GET" && req.method !== "HEAD" ? { body: { string: body } } : {}) });
      try {
        await toNodeResponse(await invokeHttp(match.fn, request, typeof client === "function" ? client() : client, log), res);
      } catch (error) {
        log(`[http] ${req.method} ${url.pathname}: ${(error as Error).message}`);
        send(500, "InternalError", "The request failed; see the host log.");
      }
    })();
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(port, "127.0.0.1", resolve); });
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
