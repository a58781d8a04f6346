import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toAuditLogRow } from "../../src/rows/auditLogRow";
import { AUDIT_LOGS_TABLE, checkRow } from "../../src/schema/tables";
import { MAX_FIELD_BYTES, TRUNCATED_STRING } from "../../src/rows/fieldLimits";
import type { AuditLogEvent } from "../../src/openai/types";

const origin = { connectorName: "Org audit", collectorId: "org-audit", collectedAt: "2026-11-25T10:00:00.000Z" };

// Every event type with a payload schema in the reference (openai-api.md §2.5), with a sample payload.
const TYPED_PAYLOADS: Record<string, Record<string, unknown> | undefined> = {
  "api_key.created": { id: "key_1", data: { scopes: ["a"] } }, "api_key.updated": { id: "key_1", changes_requested: { scopes: ["b"] } },
  "api_key.deleted": { id: "key_1" }, "certificate.created": { id: "c", name: "n" }, "certificate.updated": { id: "c", name: "n" },
  "certificate.deleted": { id: "c", name: "n", certificate: "-----BEGIN CERTIFICATE-----" },
  "certificates.activated": { certificates: [{ id: "c", name: "n" }] }, "certificates.deactivated": { certificates: [] },
  "checkpoint.permission.created": { id: "cp", data: { project_id: "p", fine_tuned_model_checkpoint: "ft" } }, "checkpoint.permission.deleted": { id: "cp" },
  "external_key.registered": { id: "ek", data: {} }, "external_key.removed": { id: "ek" },
  "group.created": { id: "g", data: { group_name: "x" } }, "group.updated": { id: "g", changes_requested: { group_name: "y" } }, "group.deleted": { id: "g" },
  "invite.sent": { id: "i", data: { email: "a@b.c", role: "owner" } }, "invite.accepted": { id: "i" }, "invite.deleted": { id: "i" },
  "ip_allowlist.created": { id: "ip", name: "n", allowed_ips: ["1.2.3.4"] }, "ip_allowlist.updated": { id: "ip", allowed_ips: [] }, "ip_allowlist.deleted": { id: "ip", name: "n", allowed_ips: [] },
  "ip_allowlist.config.activated": { configs: [{ id: "ip", name: "n" }] }, "ip_allowlist.config.deactivated": { configs: [] },
  "login.succeeded": undefined, "logout.succeeded": undefined, "login.failed": { error_code: "e", error_message: "m" }, "logout.failed": { error_code: "e", error_message: "m" },
  "organization.updated": { id: "org", changes_requested: { title: "t", api_call_logging: "enabled_per_call" } },
  "project.created": { id: "proj", data: { name: "n", title: "t" } }, "project.updated": { id: "proj", changes_requested: { title: "t" } },
  "project.archived": { id: "proj" }, "project.deleted": { id: "proj" },
  "rate_limit.updated": { id: "rl", changes_requested: { max_requests_per_1_minute: 5 } }, "rate_limit.deleted": { id: "rl" },
  "role.created": { id: "r", role_name: "n", permissions: ["p"], resource_type: "t", resource_id: "i" },
  "role.updated": { id: "r", changes_requested: { role_name: "n", metadata: { a: 1 } } }, "role.deleted": { id: "r" },
  "role.assignment.created": { id: "ra", principal_id: "u", principal_type: "user", resource_id: "i", resource_type: "t" }, "role.assignment.deleted": { id: "ra" },
  "role.bound_to_resource": { id: "rb", role_id: "r", enabled: true, source: "role_toggle" }, "role.unbound_from_resource": { id: "rb", enabled: false },
  "scim.enabled": { id: "s" }, "scim.disabled": { id: "s" },
  "service_account.created": { id: "sa", data: { role: "member" } }, "service_account.updated": { id: "sa", changes_requested: { role: "owner" } }, "service_account.deleted": { id: "sa" },
  "user.added": { id: "u", data: { role: "owner" } }, "user.updated": { id: "u", changes_requested: { role: "member" } }, "user.deleted": { id: "u" },
  "workload_identity_provider.created": { id: "w", data: {} }, "workload_identity_provider.updated": { id: "w", changes_requested: {} }, "workload_identity_provider.deleted": { id: "w", name: "n" },
  "workload_identity_provider_mapping.created": { id: "m", identity_provider_id: "w", data: {} },
  "workload_identity_provider_mapping.updated": { id: "m", identity_provider_id: "w", changes_requested: {} },
  "workload_identity_provider_mapping.deleted": { id: "m", identity_provider_id: "w", project_id: "p", service_account_id: "sa" },
};

describe("toAuditLogRow", () => {
  it("maps a session event with OpenAI's documented example enrichment to every column", () => {
    const event: AuditLogEvent = {
      id: "audit_log-yyy__20240101", type: "api_key.updated", effective_at: 1720804190,
      actor: { type: "session", session: { user: { id: "user-abc", email: "user@example.com" }, ip_address: "127.0.0.1", user_agent: "Mozilla/5.0", ja3: "a497", ja4: "q13d",
        ip_address_details: { country: "US", city: "San Francisco", region: "California", region_code: "CA", asn: "1234", latitude: "37.77490", longitude: "-122.41940" } } },
      project: { id: "proj_abc", name: "Default" },
      "api_key.updated": { id: "key_xxxx", data: { scopes: ["resource_2.operation_2"] } },
    };
    assert.deepEqual(toAuditLogRow(event, origin), {
      TimeGenerated: "2024-07-12T17:09:50.000Z", Id: "audit_log-yyy__20240101", EventType: "api_key.updated", EffectiveAt: "2024-07-12T17:09:50.000Z",
      ActorType: "session", ActorApiKey: null, ActorSession: event.actor!.session, Project: { id: "proj_abc", name: "Default" },
      EventDetails: { id: "key_xxxx", data: { scopes: ["resource_2.operation_2"] } }, ConnectorName: "Org audit",
      ActorUserId: "user-abc", ActorUserEmail: "user@example.com", ActorIpAddress: "127.0.0.1", ActorUserAgent: "Mozilla/5.0",
      ActorCountry: "US", ActorRegion: "California", ActorCity: "San Francisco", ActorAsn: "1234", ActorJa3: "a497", ActorJa4: "q13d",
      ProjectId: "proj_abc", ProjectName: "Default", TargetId: "key_xxxx", AdditionalFields: null, CollectorId: "org-audit",
    });
  });

  it("maps an API-key actor owned by a service account", () => {
    const row = toAuditLogRow({ id: "a1", type: "project.archived", effective_at: 1722461446,
      actor: { type: "api_key", api_key: { id: "key_t", type: "service_account", service_account: { id: "svc_1" } } }, "project.archived": { id: "proj_abc" } }, origin);
    assert.deepEqual(row, {
      TimeGenerated: "2024-07-31T21:30:46.000Z", Id: "a1", EventType: "project.archived", EffectiveAt: "2024-07-31T21:30:46.000Z", ActorType: "api_key",
      ActorApiKey: { id: "key_t", type: "service_account", service_account: { id: "svc_1" } }, ActorSession: null, Project: null,
      EventDetails: { id: "proj_abc" }, ConnectorName: "Org audit", ActorApiKeyId: "key_t", ActorApiKeyType: "service_account",
      ActorServiceAccountId: "svc_1", TargetId: "proj_abc", AdditionalFields: null, CollectorId: "org-audit",
    });
  });

  it("maps every documented event type to a schema-valid row whose EventDetails is the payload under the type's key", () => {
    for (const [type, payload] of Object.entries(TYPED_PAYLOADS)) {
      const event: AuditLogEvent = { id: `id-${type}`, type, effective_at: 1700000000, actor: { type: "session", session: { user: { id: "u" } } } };
      if (payload) event[type] = payload;
      const row = toAuditLogRow(event, origin);
      assert.deepEqual(checkRow(AUDIT_LOGS_TABLE, row), [], type);
      assert.deepEqual([row.EventType, row.EventDetails, row.TargetId], [type, payload ?? null, payload?.id], type);
    }
  });

  it("keeps an unknown event type's payload and unknown top-level fields", () => {
    const row = toAuditLogRow({ id: "x", type: "tenant.future.thing", effective_at: 1700000000, "tenant.future.thing": { anything: [1, 2] }, source: "api", object: "organization.audit_log" }, origin);
    assert.deepEqual([row.EventDetails, row.AdditionalFields], [{ anything: [1, 2] }, { source: "api", object: "organization.audit_log" }]);
  });

  it("tolerates a minimal event: no actor, no project, no payload", () => {
    const row = toAuditLogRow({ id: "m", type: "login.succeeded", effective_at: 1700000000, actor: null }, origin);
    assert.deepEqual(row, { TimeGenerated: "2023-11-14T22:13:20.000Z", Id: "m", EventType: "login.succeeded", EffectiveAt: "2023-11-14T22:13:20.000Z",
      ActorApiKey: null, ActorSession: null, Project: null, EventDetails: null, ConnectorName: "Org audit", AdditionalFields: null, CollectorId: "org-audit" });
  });

  it("uses the collection time when effective_at is unusable, and keeps a scalar payload as it came", () => {
    const row = toAuditLogRow({ id: "m", type: "odd", effective_at: "soon" as unknown as number, odd: "text payload" }, origin);
    // A dynamic column holds objects and arrays; a scalar payload and an unusable time stay exact in AdditionalFields.
    assert.deepEqual([row.TimeGenerated, row.EffectiveAt, row.EventDetails, row.AdditionalFields], [origin.collectedAt, undefined, null, { effective_at: "soon", odd: "text payload" }]);
  });

  it("keeps unicode intact", () => {
    const row = toAuditLogRow({ id: "u", type: "project.created", effective_at: 1700000000, project: { id: "p", name: "Проект 🚀 東京" }, "project.created": { id: "p", data: { name: "Проект 🚀 東京" } } }, origin);
    assert.deepEqual([row.ProjectName, (row.EventDetails as { data: { name: string } }).data.name], ["Проект 🚀 東京", "Проект 🚀 東京"]);
  });

  it("truncates an oversized payload visibly, keeping its structure, and stays schema-valid", () => {
    const huge = "x".repeat(200_000);
    const row = toAuditLogRow({ id: "big", type: "certificate.deleted", effective_at: 1700000000, actor: { type: "session", session: { user_agent: huge } }, "certificate.deleted": { id: "c", certificate: huge } }, origin);
    const details = row.EventDetails as { id: string; certificate: string };
    assert.deepEqual([details.id, TRUNCATED_STRING.exec(details.certificate)?.[1]], ["c", "200000"]);
    assert.ok(Buffer.byteLength(JSON.stringify(details)) <= MAX_FIELD_BYTES);
    assert.ok(Buffer.byteLength(row.ActorUserAgent as string) <= MAX_FIELD_BYTES && TRUNCATED_STRING.test(row.ActorUserAgent as string));
    assert.deepEqual(checkRow(AUDIT_LOGS_TABLE, row), []);
  });
});
