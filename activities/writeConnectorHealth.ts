/**
 * Writes one generation's health row to `OpenAIConnectorHealth_CL` through the same writer the
 * data uses. Best effort by design: it never throws and never touches a cursor, so a failure to
 * write health cannot hold back data; the result only says what happened.
 */
import { CONNECTOR_HEALTH_STREAM } from "../src/config";
import { toConnectorHealthRow } from "../src/health/connectorHealthRow";
import { redactSecrets } from "../src/redact";
import type { HealthReport } from "../orchestrators/health";
import type { RowWriter } from "./deps";

/** What the health activity reports back (the orchestrator ignores it; the log shows it). */
export type HealthWriteResult =
  | { readonly written: true }
  | { readonly written: false; readonly reason: string; /** The deployment has no health table: nothing to try again. */ readonly disabled?: true };

/** Options of the health activity. */
export interface HealthActivityOptions {
  /** False when the deployment has no health table (CONNECTOR_HEALTH_ENABLED=false): nothing is sent. */
  readonly enabled: boolean;
}

/** Creates the health activity handler over the writer (resolved lazily, once per process). */
export function writeConnectorHealth(writer: () => RowWriter, options: HealthActivityOptions) {
  return async (report: HealthReport): Promise<HealthWriteResult> => {
    if (!options.enabled) return { written: false, reason: "disabled by CONNECTOR_HEALTH_ENABLED=false", disabled: true };
    try {
      await writer().upload(CONNECTOR_HEALTH_STREAM, [toConnectorHealthRow(report)]);
      return { written: true };
    } catch (error) {
      return { written: false, reason: redactSecrets((error as Error)?.message ?? String(error)) };
    }
  };
}
