/** What the page activities need; built once per process by the composition root, faked in tests. */
import type { ComplianceClient } from "../src/compliance/client";
import type { DeliveryRef } from "../src/delivery/progress";
import type { DeliveredLedger } from "../src/ledger/deliveredLedger";
import type { OpenAIClient } from "../src/openai/client";
import type { SecretCache } from "../src/secrets/secretCache";

/** The part of the Sentinel writer the activities use. */
export interface RowWriter {
  /**
   * Uploads rows in order; on failure throws, with a SentinelError's `acceptedRows` counting the
   * leading rows that were accepted.
   */
  upload(streamName: string, rows: readonly Record<string, unknown>[], options?: { abortSignal?: AbortSignal }): Promise<void>;
}

/** Dependencies of the page activities. */
export interface CollectDeps {
  readonly openai: OpenAIClient;
  /** The ChatGPT Compliance API client (compliance-log collectors). */
  readonly compliance: ComplianceClient;
  readonly writer: RowWriter;
  readonly secrets: SecretCache;
  /** Delivered audit ids inside the late-arrival window (kept outside orchestration history). */
  readonly ledger: DeliveredLedger;
  /** Wall clock in ms (activities may read it; orchestrators may not). */
  readonly now: () => number;
}

/** Who is collecting; passed in every activity input. Holds a secret *name*, never a key. */
export interface CollectorRef {
  readonly collectorId: string;
  readonly connectorName: string;
  readonly apiKeySecretName: string;
  /** Names this scheduling for crash-safe progress (see activities/pageDelivery.ts); set by the orchestrator. */
  readonly delivery?: DeliveryRef;
}
