/**
 * Usage that makes the usage and costs content fire, for the demo organization (`npm start`) and
 * as the positive sample of the analytic rule content/AnalyticRules/OpenAISpendByNewApiKey.yaml:
 * an API key created three hours before `atSec` that then burns through millions of tokens, and a
 * key whose usage jumps twentyfold on the last day after two quiet weeks (the hunting query
 * OpenAICostAndTokenSpikes). Audit payloads follow OpenAI's `AuditLog` schema.
 */
import type { AuditLogEvent } from "../../openai/types";
import type { UsageRecord } from "./usageLedger";

/** The audit events and usage records of one scenario. */
export interface UsageScenario {
  /** File name of the rule or hunting query it makes fire, without `.yaml`. */
  readonly content: string;
  readonly events: readonly AuditLogEvent[];
  readonly usage: readonly UsageRecord[];
}

const HOUR = 3_600;

/** The scenarios, placed before `atSec` (Unix seconds). */
export function usageScenarios(atSec: number): UsageScenario[] {
  const created = atSec - 3 * HOUR;
  const leaked = "key_scenario_leaked";
  const creator = { id: "user-newhire", email: "new.hire@example.com" };
  const keyCreated: AuditLogEvent = {
    id: `audit_log-usage-scenario-000_${created}`, type: "api_key.created", effective_at: created, project: { id: "proj_scenario", name: "Scenario project" },
    actor: { type: "session", session: { user: creator, ip_address: "203.0.113.99", user_agent: "python-requests/2.32", ip_address_details: { country: "NL", city: "Amsterdam", region: "North Holland", region_code: "NH", asn: "64501", latitude: "52.37", longitude: "4.89" } } },
    "api_key.created": { id: leaked, data: { scopes: ["api.model.request"] } },
  };
  const burst = [1, 2].map((h): UsageRecord => ({
    id: `usage-scenario-leaked-${h}`, family: "completions", at: created + (h - 1) * HOUR + 600,
    group: { project_id: "proj_scenario", user_id: creator.id, api_key_id: leaked, model: "gpt-4o-2024-08-06", batch: false, service_tier: "default" },
    counts: { input_tokens: 650_000, input_uncached_tokens: 650_000, input_text_tokens: 650_000, output_tokens: 180_000, output_text_tokens: 180_000, num_model_requests: 420 },
  }));
  const quietThenLoud = Array.from({ length: 15 }, (_, day): UsageRecord => ({
    id: `usage-scenario-spike-${day}`, family: "completions", at: atSec - (14 - day) * 86_400 - 2 * HOUR,
    group: { project_id: "proj_beta", user_id: "user-bob", api_key_id: "key_scenario_spike", model: "gpt-4o-mini-2024-07-18", batch: false, service_tier: "default" },
    counts: { input_tokens: day === 14 ? 2_000_000 : 90_000 + day * 1_000, output_tokens: day === 14 ? 400_000 : 20_000, num_model_requests: day === 14 ? 4_000 : 200 },
  }));
  return [
    { content: "OpenAISpendByNewApiKey", events: [keyCreated], usage: burst },
    { content: "OpenAICostAndTokenSpikes", events: [], usage: quietThenLoud },
  ];
}
