/**
 * Audit event sequences that each make one analytic rule of content/AnalyticRules fire: the demo
 * organization (`npm start`) contains all of them, and the content tests use them as each rule's
 * positive sample. Payload shapes follow OpenAI's `AuditLog` schema (openai-openapi.yaml,
 * components.schemas.AuditLog); tenant.* payloads are not in the spec and are kept minimal.
 */
import type { AuditLogEvent } from "../../openai/types";

/** The events that make one rule fire. */
export interface DetectionScenario {
  /** File name of the rule in content/AnalyticRules, without `.yaml`. */
  readonly rule: string;
  readonly events: readonly AuditLogEvent[];
}

interface SessionActor { readonly email: string; readonly ip: string; readonly country?: string; readonly asn?: string; readonly ja4?: string }

function session(a: SessionActor): AuditLogEvent["actor"] {
  return {
    type: "session",
    session: {
      user: { id: `user-${a.email.split("@")[0]!.replace(/[^a-z0-9]/g, "")}`, email: a.email }, ip_address: a.ip, user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)",
      ja3: "a497151ce4338a12c4418c44d375173e", ja4: a.ja4 ?? "q13d0313h3_55b375c5d22e_c7319ce65786",
      ip_address_details: { country: a.country ?? "US", city: "Seattle", region: "Washington", region_code: "WA", asn: a.asn ?? "64500", latitude: "47.60620", longitude: "-122.33210" },
    },
  };
}

const serviceAccountKey = (serviceAccountId: string, keyId: string): AuditLogEvent["actor"] =>
  ({ type: "api_key", api_key: { id: keyId, type: "service_account", service_account: { id: serviceAccountId } } });

const ADMIN: SessionActor = { email: "ops.admin@example.com", ip: "203.0.113.10" };
const PROJECT = { id: "proj_scenario", name: "Scenario project" };

/**
 * The scenarios, placed just before `atSec` (Unix seconds): everything happens within the 30
 * minutes before it, except the sign-in history the new-country rule compares with (1 and 2 days before).
 */
export function detectionScenarios(atSec: number): DetectionScenario[] {
  let n = 0;
  const event = (type: string, offsetSec: number, actor: AuditLogEvent["actor"], details?: Record<string, unknown>, project: AuditLogEvent["project"] = PROJECT): AuditLogEvent => {
    const effective_at = atSec - offsetSec;
    const e: AuditLogEvent = { id: `audit_log-scenario-${(n++).toString().padStart(3, "0")}_${effective_at}`, type, effective_at, actor, project };
    if (details !== undefined) e[type] = details;
    return e;
  };
  const stuffed = "victim.one@example.com";
  const guessed = "victim.two@example.com";
  const traveller = "dana.traveller@example.com";
  return [
    { rule: "OpenAIApiKeyBroadScopes", events: [event("api_key.created", 1_500, session(ADMIN), { id: "key_scenario_broad", data: { scopes: ["api.organization.projects.api_keys.write", "api.model.request"] } })] },
    { rule: "OpenAIOwnerOrAdminRoleGranted", events: [event("user.updated", 1_480, session(ADMIN), { id: "user-newowner", changes_requested: { role: "owner" } })] },
    { rule: "OpenAIScimDisabled", events: [event("scim.disabled", 1_460, session(ADMIN), { id: "scim-config-1" })] },
    { rule: "OpenAISsoConnectionChanged", events: [event("tenant.sso_connection.deleted", 1_440, session(ADMIN), { id: "sso-connection-1" })] },
    { rule: "OpenAISessionPolicyWeakened", events: [event("tenant.session_policy.updated", 1_420, session(ADMIN), { id: "session-policy-1", changes_requested: { max_session_hours: 720 } })] },
    { rule: "OpenAIIpAllowlistWeakened", events: [event("ip_allowlist.updated", 1_400, session(ADMIN), { id: "ipal-office", allowed_ips: ["0.0.0.0/0"] })] },
    { rule: "OpenAICredentialStuffing", events: Array.from({ length: 6 }, (_, i) =>
      event("login.failed", 1_300 - i * 60, session({ email: stuffed, ip: `192.0.2.${10 + i}`, country: ["NL", "RU", "VN", "BR", "US", "IN"][i]!, asn: `6451${i}` }),
        { error_code: "invalid_credentials", error_message: "Wrong email or password" }, null)) },
    { rule: "OpenAIBruteForceThenSuccess", events: [
      ...Array.from({ length: 6 }, (_, i) => event("login.failed", 1_000 - i * 30, session({ email: guessed, ip: "198.18.0.77", country: "RO", asn: "64999" }),
        { error_code: "invalid_credentials", error_message: "Wrong email or password" }, null)),
      event("login.succeeded", 700, session({ email: guessed, ip: "198.18.0.77", country: "RO", asn: "64999" }), undefined, null),
    ] },
    { rule: "OpenAINewSignInCountryAsnOrFingerprint", events: [
      event("login.succeeded", 2 * 86_400, session({ email: traveller, ip: "203.0.113.50", country: "US", asn: "64500" }), undefined, null),
      event("login.succeeded", 86_400, session({ email: traveller, ip: "203.0.113.51", country: "US", asn: "64500" }), undefined, null),
      event("login.succeeded", 600, session({ email: traveller, ip: "198.51.100.200", country: "KP", asn: "64777", ja4: "t13d1516h2_8daaf6152771_02713d6af862" }), undefined, null),
    ] },
    { rule: "OpenAIAdminApiKeyCreated", events: [event("tenant.admin_api_key.created", 560, session(ADMIN), { id: "key_admin_scenario", name: "automation" })] },
    { rule: "OpenAIKeyCreatedByServiceAccount", events: [event("api_key.created", 540, serviceAccountKey("svc_acct_build", "key_svc_build"), { id: "key_minted_by_svc", data: { scopes: ["api.model.request"] } })] },
    { rule: "OpenAIServiceAccountCreatedWithKey", events: [
      event("service_account.created", 520, session(ADMIN), { id: "svc_acct_backdoor", data: { role: "owner" } }),
      event("api_key.created", 400, session(ADMIN), { id: "key_for_backdoor", data: { scopes: ["api.model.request"] } }),
    ] },
    { rule: "OpenAILoggingOrDataControlsReduced", events: [event("organization.updated", 380, session(ADMIN), { id: "org-scenario", changes_requested: { api_call_logging: "disabled" } })] },
    { rule: "OpenAINewEventType", events: [event("tenant.resource_share_grant.created", 360, session(ADMIN), { id: "grant-1" })] },
    { rule: "OpenAIPasswordSpray", events: Array.from({ length: 6 }, (_, i) =>
      event("login.failed", 340 - i * 20, session({ email: `sprayed${i}@example.com`, ip: "192.0.2.200", country: "CN", asn: "64666" }),
        { error_code: "invalid_credentials", error_message: "Wrong email or password" }, null)) },
    { rule: "OpenAIMassDeletion", events: Array.from({ length: 12 }, (_, i) =>
      event("api_key.deleted", 200 - i * 10, session(ADMIN), { id: `key_deleted_${i}` })) },
  ];
}
