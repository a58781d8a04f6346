/** A local App Service managed identity endpoint (`IDENTITY_ENDPOINT` / `IDENTITY_HEADER`). */
import type http from "node:http";
import { listen, sendJson, type RunningServer } from "./server";

/** The running fake; tokens are `mi-token-for-<resource>`. */
export class ManagedIdentityFake {
  readonly requests: Array<{ resource: string | null; clientId: string | null }> = [];
  private server: RunningServer | undefined;

  constructor(readonly identityHeader: string) {}

  /** Value for IDENTITY_ENDPOINT. */
  get endpoint(): string {
    if (!this.server) throw new Error("fake not started");
    return `${this.server.url}/msi/token`;
  }

  async start(): Promise<this> {
    this.server = await listen((req, res) => this.handle(req, res));
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** The token this fake issues for a resource (scope without `/.default`). */
  static tokenFor(resource: string): string {
    return `mi-token-for-${resource}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.headers["x-identity-header"] !== this.identityHeader) return sendJson(req, res, 401, { error: "invalid x-identity-header" });
    const resource = url.searchParams.get("resource");
    this.requests.push({ resource, clientId: url.searchParams.get("client_id") });
    if (!resource) return sendJson(req, res, 400, { error: "resource is required" });
    sendJson(req, res, 200, {
      access_token: ManagedIdentityFake.tokenFor(resource),
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource,
      token_type: "Bearer",
    });
  }
}
