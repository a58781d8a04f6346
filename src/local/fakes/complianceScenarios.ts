/**
 * ChatGPT compliance records that each make one ChatGPT analytic rule of content/AnalyticRules
 * fire: the demo workspace (`npm start`) contains all of them, and the content tests use them as
 * each rule's positive sample. Shapes follow the public samples (chatgpt-compliance-api.md §2.1,
 * §2.2: Elastic's AUTH_LOG, AUDIT_LOG, APP_AUTH_LOG and CODEX_SECURITY_LOG fixtures).
 */
import { unixSecondsToIsoMicros } from "../../compliance/isoTime";
import { requestMetadata, stableUuid, type ComplianceOrg, type ComplianceRecord } from "./generateCompliance";

/** The records that make one rule fire. */
export interface ComplianceDetectionScenario {
  /** File name of the rule in content/AnalyticRules, without `.yaml`. */
  readonly rule: string;
  readonly records: readonly ComplianceRecord[];
}

/**
 * The scenarios, placed just before `atSec` (Unix seconds): within the 30 minutes before it,
 * except the sign-in history the new-country rule compares with (1 and 2 days before).
 */
export function complianceDetectionScenarios(atSec: number, org: ComplianceOrg): ComplianceDetectionScenario[] {
  let n = 0;
  const record = (eventType: string, offsetSec: number, fields: Record<string, unknown>): ComplianceRecord => {
    const at = atSec - offsetSec;
    return { eventType, at, record: { event_id: stableUuid(`scenario-${n++}`), type: eventType, timestamp: unixSecondsToIsoMicros(at), principal: { id: org.workspaceId, type: "CHATGPT_WORKSPACE" }, ...fields } };
  };
  const user = (email: string) => ({ type: "ACCOUNT_USER", user_id: `user-${email.split("@")[0]!.replace(/[^a-z0-9]/g, "")}`, user_email: email });
  const signIn = (email: string, offsetSec: number, action: string, ip: string, place: number) =>
    record("AUTH_LOG", offsetSec, { actor: user(email), request_metadata: requestMetadata(ip, place, 0), action_data: { action, role: "standard-user" } });
  const admin = user("workspace.owner@example.org");
  return [
    { rule: "ChatGPTSignInFailureBurst", records: Array.from({ length: 6 }, (_, i) => signIn("victim.three@example.org", 1_500 - i * 90, "login_failed", `192.0.2.${40 + (i % 3)}`, i % 4)) },
    { rule: "ChatGPTSignInNewCountry", records: [
      signIn("sam.traveller@example.org", 2 * 86_400, "login_success", "81.2.69.10", 0),
      signIn("sam.traveller@example.org", 86_400, "login_success", "81.2.69.11", 0),
      record("AUTH_LOG", 600, { actor: user("sam.traveller@example.org"), request_metadata: { ...requestMetadata("200.160.2.3", 0, 2), client_ip_details: { country: "BR", city: "Sao Paulo", region: "Sao Paulo", region_code: "SP", asn: "AS28573", latitude: "-23.5475", longitude: "-46.63611" } }, action_data: { action: "login_success", role: "standard-user" } }),
    ] },
    { rule: "ChatGPTAppLinkedFirstTime", records: [record("APP_AUTH_LOG", 800, { actor: user("new.linker@example.org"), app_id: "connector_0f1e2d3c4b5a69788796a5b4c3d2e1f0", link_id: "link_5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", action: "link" })] },
    { rule: "ChatGPTAdminRoleGranted", records: [record("AUDIT_LOG", 700, { actor: admin, action: "USER_ROLE_UPDATED", action_result: "SUCCESS", action_privilege: "ADMIN",
      request_metadata: requestMetadata("89.160.20.112", 1, 1), action_data: { user_id: "user-PromotedMember01", new_role: "admin" } })] },
    { rule: "ChatGPTCodexSecurityHighSeverityFinding", records: [record("CODEX_SECURITY_LOG", 650, { actor: user("appsec.lead@example.org"), event_type: "SCAN_FINDING_UPDATED", client_id: "CODEX_WEB", workspace_id: org.workspaceId,
      event_details: { detail_type: "SCAN_FINDING_UPDATED", finding_id: "hid-scenario-1", updated_fields: { status: "open", criticality: "high", assignee_user_email: "dev.owner@example.org" } } })] },
  ];
}
