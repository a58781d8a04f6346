/** Compliance log records → rows: the envelope flattened, the payload kept whole, COSTS in its own shape. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toChatGPTCostRow, toComplianceLogRow } from "../../src/rows/complianceLogRow";
import { CHATGPT_COMPLIANCE_LOGS_TABLE, CHATGPT_COSTS_TABLE, checkRow } from "../../src/schema/tables";

const origin = { connectorName: "ChatGPT", collectorId: "chatgpt", collectedAt: "2026-07-16T12:00:00.000Z", logFileId: "eclf_1", logFileEndTime: "2026-07-16T11:00:00.123456+00:00", scope: "workspace", line: 7 };
const stamp = { LogFileId: "eclf_1", LogFileEndTime: "2026-07-16T11:00:00.123456Z", ConnectorName: "ChatGPT", CollectorId: "chatgpt" };

describe("compliance log rows", () => {
  it("flatten an AUDIT_LOG envelope with request metadata; geo strings become numbers, an AS prefix is dropped", () => {
    const record = {
      event_id: "344039bd", type: "AUDIT_LOG", principal: { id: "ws-1", type: "CHATGPT_WORKSPACE" }, actor: { type: "ACCOUNT_USER", user_id: "user-A", user_email: "alice@example.org" },
      timestamp: "2026-07-09T11:40:00.000000Z", action_result: "SUCCESS", action_privilege: "ADMIN",
      request_metadata: { client_ip: "89.160.20.112", client_ip_details: { country: "SE", city: "Linkoping", region: "Ostergotland", region_code: "E", asn: "AS29518", latitude: "58.4167", longitude: "15.6167" },
        client_user_agent: "Mozilla/5.0", client_ja3: "", client_ja4: "", destination_hostname: null },
      action_data: { user_id: "user-B", new_role: "admin" }, action: "USER_ROLE_UPDATED", something_new: 1,
    };
    assert.deepEqual(toComplianceLogRow(record, origin), {
      TimeGenerated: "2026-07-09T11:40:00.000000Z", EventId: "344039bd", EventType: "AUDIT_LOG", Timestamp: "2026-07-09T11:40:00.000000Z", PrincipalId: "ws-1", PrincipalType: "CHATGPT_WORKSPACE",
      ActorType: "ACCOUNT_USER", ActorUserId: "user-A", ActorUserEmail: "alice@example.org", Actor: record.actor,
      ClientIp: "89.160.20.112", ClientCountry: "SE", ClientRegion: "Ostergotland", ClientRegionCode: "E", ClientCity: "Linkoping", ClientAsn: "29518", ClientLatitude: 58.4167, ClientLongitude: 15.6167,
      ClientUserAgent: "Mozilla/5.0", RequestMetadata: record.request_metadata, Action: "USER_ROLE_UPDATED", ActionResult: "SUCCESS", ActionPrivilege: "ADMIN", ActionData: record.action_data,
      EventDetails: null, Payload: { action_result: "SUCCESS", action_privilege: "ADMIN", action_data: record.action_data, action: "USER_ROLE_UPDATED", something_new: 1 }, Scope: "workspace", ...stamp,
    });
  });

  it("flatten an agent actor and a Codex Security finding; a record without event_id or timestamp gets the file's line and the collection time", () => {
    const record = { type: "CODEX_SECURITY_LOG", actor: { type: "AGENT", product_type: "COLLAB_AGENT", id: "agent-1", name: "Helper", product_id: "g-1", agent_runtime: { id: "run-1", delegator: { type: "ACCOUNT_USER", user_id: "user-D", user_email: "dee@example.org" } }, agent_task: { id: "task-1" } },
      event_type: "SCAN_FINDING_UPDATED", client_id: "CODEX_WEB", workspace_id: "ws-1", event_details: { detail_type: "SCAN_FINDING_UPDATED", finding_id: "hid-1", updated_fields: { status: "open", criticality: "high" } } };
    const row = toComplianceLogRow(record, origin);
    assert.deepEqual([row.TimeGenerated, row.EventId, row.Timestamp, row.ActorAgentId, row.ActorAgentName, row.ActorAgentProductType, row.ActorAgentProductId, row.ActorAgentRuntimeId, row.ActorAgentTaskId,
      row.ActorDelegatorType, row.ActorDelegatorUserEmail, row.EventSubtype, row.ClientId, row.WorkspaceId, row.FindingId, row.FindingStatus, row.FindingCriticality],
    ["2026-07-16T12:00:00.000Z", "eclf_1:7", undefined, "agent-1", "Helper", "COLLAB_AGENT", "g-1", "run-1", "task-1", "ACCOUNT_USER", "dee@example.org", "SCAN_FINDING_UPDATED", "CODEX_WEB", "ws-1", "hid-1", "open", "high"]);
    assert.deepEqual(checkRow(CHATGPT_COMPLIANCE_LOGS_TABLE, row), []);
  });

  it("turn a COSTS record into an hourly cost row: credits summed, email lower-cased, the hour from day and hour", () => {
    const record = { event_id: "cost-1", type: "COSTS", timestamp: "2026-07-15T22:59:59Z", extra: true, payload: {
      day: "2026-07-15", hour: 22, organization_id: "org-1", identity: { user_id: "user-A", email: "Alice@Example.org", name: "Alice", groups: ["eng"] }, product: "codex", client: "codex_cli", surface: "cli", model: "gpt-5", service_tier: "default", reasoning: { effort: "high" },
      measures: { usage: { text_input_tokens: 1200, text_cached_input_tokens: 300, text_output_tokens: 400 }, billing: [{ sku: "a", cost: { value: 1.25, unit: "CREDITS" } }, { sku: "b", cost: { value: 0.5, unit: "CREDITS" } }, { sku: "c", cost: { value: 9, unit: "USD" } }] } } };
    const row = toChatGPTCostRow(record, { ...origin, scope: "organization" });
    assert.deepEqual(row, {
      TimeGenerated: "2026-07-15T22:59:59.000000Z", EventId: "cost-1", EventType: "COSTS", Timestamp: "2026-07-15T22:59:59.000000Z", HourStart: "2026-07-15T22:00:00.000Z", Day: "2026-07-15", Hour: 22,
      OrganizationId: "org-1", UserId: "user-A", UserEmail: "alice@example.org", UserName: "Alice", UserGroups: ["eng"], Product: "codex", Client: "codex_cli", Surface: "cli", Model: "gpt-5", ServiceTier: "default",
      Reasoning: '{"effort":"high"}', TextInputTokens: 1200, TextCachedInputTokens: 300, TextOutputTokens: 400, Credits: 1.75, Billing: record.payload.measures.billing, Usage: record.payload.measures.usage,
      Payload: record.payload, AdditionalFields: { extra: true }, ...stamp,
    });
    assert.deepEqual(checkRow(CHATGPT_COSTS_TABLE, row), []);
    // Without a timestamp the hour bucket gives the time (never the file's end).
    assert.equal(toChatGPTCostRow({ ...record, timestamp: undefined }, origin).TimeGenerated, "2026-07-15T22:59:59.000Z");
  });
});
