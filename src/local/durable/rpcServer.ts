/**
 * The Durable extension's local RPC listener (`/durabletask/…`), served from a {@link DurableHost}.
 * With its URL as `rpcBaseUrl` in the durableClient binding, the unmodified `DurableClient`
 * (startNew, getStatus, raiseEvent, terminate, purge, signalEntity, readEntityState) works.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { DurableHost } from "./host";
import { serveInProcess } from "./inProcess";

/** A running RPC listener. */
export interface RpcServer {
  /** Base URL ending in `/durabletask/`. */
  readonly baseUrl: string;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readText(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseMaybe(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Starts the RPC listener on 127.0.0.1. */
export async function startRpcServer(host: DurableHost, port = 0): Promise<RpcServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://rpc");
      const parts = url.pathname.replace(/^\/durabletask\//, "").split("/").filter(Boolean).map(decodeURIComponent);
      const body = await readText(req);
      try {
        if (parts[0] === "orchestrators" && req.method === "POST") {
          const id = host.startNew(parts[1]!, parts[2], parseMaybe(body));
          return send(res, 202, { id });
        }
        if (parts[0] === "instances" && req.method === "GET") {
          if (!parts[1]) return send(res, 200, host.listStatuses());
          const status = host.getStatus(parts[1], { showHistory: url.searchParams.get("showHistory") === "true", showInput: url.searchParams.get("showInput") !== "false" });
          if (!status) return send(res, 404);
          return send(res, ["Running", "Pending", "ContinuedAsNew"].includes(status.runtimeStatus) ? 202 : 200, status);
        }
        if (parts[0] === "instances" && req.method === "DELETE" && parts[1]) {
          return host.purge(parts[1]) ? send(res, 200, { instancesDeleted: 1 }) : send(res, 404);
        }
        if (parts[0] === "instances" && req.method === "POST" && parts[1]) {
          const outcome = parts[2] === "raiseEvent" ? host.raiseEvent(parts[1], parts[3]!, parseMaybe(body))
            : parts[2] === "terminate" ? host.terminate(parts[1], url.searchParams.get("reason") ?? "")
            : undefined;
          if (outcome === undefined) return send(res, 501, { message: `unsupported: ${parts[2]}` });
          return send(res, outcome === "accepted" ? 202 : outcome === "gone" ? 410 : 404);
        }
        if (parts[0] === "entities" && parts[1] && parts[2] !== undefined) {
          if (req.method === "POST") {
            await host.signalEntity(parts[1], parts[2], url.searchParams.get("op") ?? "", parseMaybe(body));
            return send(res, 202);
          }
          if (req.method === "GET") {
            const entity = host.readEntity(parts[1], parts[2]);
            return entity.exists ? send(res, 200, entity.state) : send(res, 404);
          }
        }
        send(res, 404, { message: `no route ${req.method} ${url.pathname}` });
      } catch (error) {
        send(res, 400, { message: (error as Error).message });
      }
    })();
  });
  // The client keeps sockets alive; a server-side idle timeout races with their reuse (ECONNRESET).
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${actual}/durabletask/`;
  host.attachRpc(baseUrl);
  const unregister = serveInProcess(baseUrl, host);
  return {
    baseUrl,
    close: () => new Promise((resolve) => { unregister(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
