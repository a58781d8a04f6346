import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toAuditLogRow } from "../../src/rows/auditLogRow";
import { AUDIT_LOGS_TABLE, checkRow } from "../../src/schema/tables";
import { MAX_FIELD_BYTES, TRUNCATED_STRING } from "../../src/rows/fieldLimits";
import type { AuditLogEvent } from "../../src/openai/types";

const origin = { connectorName: "Org audit", collectorId: "org-audit", collectedAt: "2026-11-25T10:00:00.000Z" };

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
      ProjectId: "proj_abc", ProjectName: "Default", TargetId: "key_xxxx", AdditionalFields: null, CollectorId: "org-audit", Scope: "organization",
    });
  });

  it("maps an API-key actor owned by a service account", () => {
    const row = toAuditLogRow({ id: "a1", type: "project.archived", effective_at: 1722461446,
      actor: { type: "api_key", api_key: { id: "key_t", type: "service_account", service_account: { id: "svc_1" } } }, "project.archived": { id: "proj_abc" } }, origin);
    assert.deepEqual(row, {
      TimeGenerated: "2024-07-31T21:30:46.000Z", Id: "a1", EventType: "project.archived", EffectiveAt: "2024-07-31T21:30:46.000Z", ActorType: "api_key",
      ActorApiKey: { id: "key_t", type: "service_account", service_account: { id: "svc_1" } }, ActorSession: null, Project: null,
      EventDetails: { id: "proj_abc" }, ConnectorName: "Org audit", ActorApiKeyId: "key_t", ActorApiKeyType: "service_account",
      ActorServiceAccountId: "svc_1", TargetId: "proj_abc", AdditionalFields: null, CollectorId: "org-audit", Scope: "organization",
    });
  });

  it("keeps an unknown event type's payload and unknown top-level fields", () => {
    const row = toAuditLogRow({ id: "x", type: "tenant.future.thing", effective_at: 1700000000, "tenant.future.thing": { anything: [1, 2] }, source: "api", object: "organization.audit_log" }, origin);
    assert.deepEqual([row.EventDetails, row.AdditionalFields], [{ anything: [1, 2] }, { source: "api", object: "organization.audit_log" }]);
  });

  it("tolerates a minimal event: no actor, no project, no payload", () => {
    const row = toAuditLogRow({ id: "m", type: "login.succeeded", effective_at: 1700000000, actor: null }, origin);
    assert.deepEqual(row, { TimeGenerated: "2023-11-14T22:13:20.000Z", Id: "m", EventType: "login.succeeded", EffectiveAt: "2023-11-14T22:13:20.000Z",
      ActorApiKey: null, ActorSession: null, Project: null, EventDetails: null, ConnectorName: "Org audit", AdditionalFields: null, CollectorId: "org-audit", Scope: "organization" });
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
