/** Helpers for compliance-log tests: a workspace and organization, activity inputs, draining a stream. */
import { collectComplianceLogs, type ComplianceStreamInput, type ComplianceStreamResult } from "../../activities/collectComplianceLogs";
import { initialLogFileCursor, type LogFileCursor } from "../../src/compliance/logFileCursor";
import type { ComplianceStream } from "../../src/compliance/streams";
import type { ComplianceOrg } from "../../src/local/fakes/generateCompliance";
import type { Stack } from "./stack";

/** The test workspace (ChatGPT) and organization (API Platform). */
export const ORG: ComplianceOrg = { workspaceId: "be545252-ad04-4cfa-9ca5-deca58416151", organizationId: "org-TestOrganization01" };

/** Who collects. */
export const REF = { collectorId: "chatgpt", connectorName: "ChatGPT compliance", apiKeySecretName: "chatgpt-compliance-key" };

/** The stream of `eventType` at its scope in {@link ORG}. */
export function streamOf(eventType: string): ComplianceStream {
  return eventType === "COSTS" ? { eventType, scope: "organization", scopeId: ORG.organizationId } : { eventType, scope: "workspace", scopeId: ORG.workspaceId };
}

/** An activity input with sensible defaults. */
export function streamInput(stream: ComplianceStream, origin: string, cursor: LogFileCursor = initialLogFileCursor(origin), overrides: Partial<ComplianceStreamInput> = {}): ComplianceStreamInput {
  return { ...REF, stream, cursor, origin, overlapSeconds: 0, maxPages: 10, maxFiles: 25, userContentAllowed: false, ...overrides };
}

/** Runs the activity until its listing is drained, carrying the cursor as the orchestrator does; throws after `maxCalls`. */
export async function drainStream(stack: Stack, input: ComplianceStreamInput, maxCalls = 50): Promise<{ results: ComplianceStreamResult[]; cursor: LogFileCursor }> {
  const run = collectComplianceLogs(stack.deps);
  const results: ComplianceStreamResult[] = [];
  let cursor = input.cursor;
  for (let i = 0; i < maxCalls; i++) {
    const r = await run({ ...input, cursor });
    results.push(r);
    cursor = r.cursor;
    if (r.outcome.kind === "ok" && r.done) return { results, cursor };
  }
  throw new Error(`stream ${input.stream.eventType} not drained in ${maxCalls} calls: ${JSON.stringify(results[results.length - 1]?.outcome)}`);
}

/** Sums a count over results. */
export function total(results: readonly ComplianceStreamResult[], key: "rowsWritten" | "files" | "duplicates" | "relisted" | "pages" | "withheld"): number {
  return results.reduce((n, r) => n + r[key], 0);
}
