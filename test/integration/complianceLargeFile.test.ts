/**
 * A large compliance log file is streamed: from the signed URL to disk, then line by line into
 * bounded batches. The live heap (measured after a forced collection at every upload, so garbage
 * does not blur it) stays far below the file's size; a reader that held the file would need more
 * than the file itself.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import { collectComplianceLogs } from "../../activities/collectComplianceLogs";
import { CHATGPT_COMPLIANCE_LOGS_STREAM } from "../../src/config";
import { ORG, streamInput, streamOf } from "../fakes/compliance";
import { startStack, type Stack } from "../fakes/stack";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const LINES = 60_000;
/** One AUTH_LOG record of about 1 KB (a long user agent). */
function line(i: number): string {
  return JSON.stringify({
    event_id: `large-${i}`, type: "AUTH_LOG", timestamp: "2026-11-24T09:00:00Z", principal: { id: ORG.workspaceId, type: "CHATGPT_WORKSPACE" },
    actor: { type: "ACCOUNT_USER", user_id: `user-${i % 500}`, user_email: `person${i % 500}@example.org` },
    request_metadata: { client_ip: `10.0.${(i >> 8) & 255}.${i & 255}`, client_ip_details: { country: "GB", city: "London", region: "England", region_code: "ENG", asn: "", latitude: "51.5", longitude: "-0.12" },
      client_user_agent: `Mozilla/5.0 ${"x".repeat(700)} ${i}`, client_ja3: "f90ffded875933863a95a1a84285c922", client_ja4: "q13d0311h3_55b375c5d22e_653d80c3fe9d" },
    action_data: { action: "login_success", role: "standard-user" },
  });
}

describe("a large compliance log file", () => {
  let stack: Stack;
  before(async () => { stack = await startStack({}, { retain: "ids" }); });
  after(async () => { await stack.stop(); });

  it("is ingested whole with the live heap growing by far less than the file's size", async () => {
    const sha = stack.compliance.addLogFile({ id: "eclf_large", ...streamOf("AUTH_LOG"), endTime: "2026-11-24T10:00:00.000001Z", lines: function* () { for (let i = 0; i < LINES; i++) yield line(i); } });
    const fileBytes = Array.from({ length: LINES }, (_, i) => Buffer.byteLength(line(i)) + 1).reduce((a, b) => a + b, 0);
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    const writer = { upload: async (s: string, rows: readonly Record<string, unknown>[]) => {
      await stack.deps.writer.upload(s, rows);
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    } };
    const r = await collectComplianceLogs({ ...stack.deps, writer })(streamInput(streamOf("AUTH_LOG"), "2026-11-24T00:00:00.000000Z"));
    console.log(`file ${(fileBytes / 1e6).toFixed(1)} MB (sha ${sha.slice(0, 8)}), peak live heap growth ${(peak / 1e6).toFixed(1)} MB`);
    assert.deepEqual([r.outcome.kind, r.files, r.rowsWritten, stack.ingestion.ids.get(CHATGPT_COMPLIANCE_LOGS_STREAM)?.size], ["ok", 1, LINES, LINES]);
    assert.ok(peak < fileBytes / 5, `peak live heap growth ${peak} bytes for a ${fileBytes}-byte file`);
  });
});
