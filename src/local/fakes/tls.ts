/**
 * A throw-away certificate authority and a localhost server certificate, generated when the
 * tests start (nothing is committed). Clients trust it per client (`ca`), never globally.
 */
import selfsigned from "selfsigned";

/** PEM material for local HTTPS fakes. */
export interface TestTls {
  /** CA certificate to trust. */
  readonly ca: string;
  /** Server certificate (SAN localhost, 127.0.0.1, ::1) signed by the CA. */
  readonly cert: string;
  readonly key: string;
}

let cached: Promise<TestTls> | undefined;

async function generate(): Promise<TestTls> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 86_400_000);
  const ca = await selfsigned.generate([{ name: "commonName", value: "openai-sentinel-connector test CA" }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate, notAfterDate,
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }],
  });
  const server = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate, notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
    ],
  });
  return { ca: ca.cert, cert: server.cert, key: server.private };
}

/** The process-wide test TLS material (generated once). */
export function testTls(): Promise<TestTls> {
  cached ??= generate();
  return cached;
}
