/**
 * A local Key Vault over HTTPS that implements the challenge flow the SDK expects: the first
 * request (no token) gets 401 + WWW-Authenticate, then bearer requests get the secret.
 */
import type http from "node:http";
import { bearer, listen, sendJson, type RunningServer } from "./server";
import type { TestTls } from "./tls";

/** Construction options. */
export interface KeyVaultFakeOptions {
  readonly tls: TestTls;
  readonly token: string;
  readonly port?: number;
}

/** The running fake. */
export class KeyVaultFake {
  private readonly secrets = new Map<string, string>();
  private server: RunningServer | undefined;
  /** When set, every request answers this status (an outage). */
  outageStatus: number | undefined;
  readonly stats = { challenges: 0, reads: 0 };

  constructor(private readonly options: KeyVaultFakeOptions) {}

  get url(): string {
    if (!this.server) throw new Error("fake not started");
    return this.server.url;
  }

  async start(): Promise<this> {
    this.server = await listen((req, res) => this.handle(req, res), this.options.tls, this.options.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  setSecret(name: string, value: string): void {
    this.secrets.set(name, value);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Drain the body (the SDK withholds it on the challenge request anyway).
    req.resume();
    const url = new URL(req.url ?? "/", "https://fake");
    if (this.outageStatus !== undefined) return sendJson(req, res, this.outageStatus, { error: { code: "ServiceUnavailable", message: "injected outage" } });
    if (!req.headers.authorization) {
      this.stats.challenges++;
      res.writeHead(401, {
        "www-authenticate": 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
        "content-type": "application/json",
      });
      res.end(JSON.stringify({ error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } }));
      return;
    }
    if (bearer(req) !== this.options.token) return sendJson(req, res, 403, { error: { code: "Forbidden", message: "Caller is not authorized to perform action on resource." } });
    const match = /^\/secrets\/([^/]+)\/?([^/]*)$/.exec(url.pathname);
    if (req.method !== "GET" || !match || !url.searchParams.get("api-version")) return sendJson(req, res, 400, { error: { code: "BadParameter", message: "unsupported request" } });
    const name = decodeURIComponent(match[1]!);
    const value = this.secrets.get(name);
    if (value === undefined) return sendJson(req, res, 404, { error: { code: "SecretNotFound", message: `A secret with (name/id) ${name} was not found in this key vault.` } });
    this.stats.reads++;
    sendJson(req, res, 200, { value, id: `${this.url}/secrets/${name}/0123456789abcdef0123456789abcdef`, attributes: { enabled: true } });
  }
}
