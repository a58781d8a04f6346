/** The fake environment as tests use it: test keys in the vault, fast retries. */
import { startFakeEnvironment, localCredential, LOCAL_AZURE_TOKEN, LOCAL_DCR_ID, type FakeEnvironment } from "../../src/local/fakeEnvironment";
import type { ComplianceMockOptions } from "../../src/local/fakes/complianceMock";
import type { OpenAIMockOptions } from "../../src/local/fakes/openaiMock";

/** Test-only keys: obviously fake and short. */
export const ADMIN_KEY = "test-admin-key-0001";
export const PROJECT_KEY = "test-project-key-0002";
export const COMPLIANCE_KEY = "test-compliance-key-0003";
export const DCR_ID = LOCAL_DCR_ID;
export const AZURE_TOKEN = LOCAL_AZURE_TOKEN;
export const staticCredential = localCredential;

/** Everything an integration test needs. */
export type Stack = FakeEnvironment;

/**
 * Starts the fakes and the real clients. In-call backoff sleeps are shortened unless `realSleep`.
 * Tests assert on rows and requests, so the fakes keep them (unless `retain` says less).
 */
export function startStack(mockOptions: Partial<OpenAIMockOptions> = {}, clientOptions: { realSleep?: boolean; compliance?: Partial<ComplianceMockOptions>; retain?: "counts" | "ids" | "rows" } = {}): Promise<Stack> {
  return startFakeEnvironment({
    mock: { adminKey: ADMIN_KEY, projectKey: PROJECT_KEY, keepRequests: true, ...mockOptions },
    compliance: { complianceKey: COMPLIANCE_KEY, keepRequests: true, ...clientOptions.compliance },
    retain: clientOptions.retain ?? "rows",
    secrets: { "openai-admin-key": ADMIN_KEY, "openai-project-key": PROJECT_KEY, "chatgpt-compliance-key": COMPLIANCE_KEY },
    fastRetries: true,
    ...(mockOptions.now ? { now: mockOptions.now } : {}),
    ...(clientOptions.realSleep ? {} : { sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))) }),
  });
}
