/**
 * Every audit event type in OpenAI's spec, mapped: the table is generated from the spec file
 * (src/schema/openai-audit-event-types.json, checked against the spec copy in shared/reference
 * when one is present, so a new copy shows which types changed), and each type's example
 * payload is mapped and checked column by column.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { AUDIT_EVENT_TYPES, eventTypeScope, isKnownEventType } from "../../src/audit/eventTypes";
import { eventTypesFromSpec, formatTable } from "../../src/audit/eventTypesFromSpec";
import type { AuditLogEvent } from "../../src/openai/types";
import { toAuditLogRow } from "../../src/rows/auditLogRow";
import { AUDIT_LOGS_TABLE, checkRow } from "../../src/schema/tables";

const root = path.join(__dirname, "..", "..", "..");
const origin = { connectorName: "Org audit", collectorId: "org-audit", collectedAt: "2026-11-25T10:00:00.000Z" };

/** The spec copy: $OPENAI_OPENAPI_SPEC, or shared/reference/ beside the repository (or beside its worktree folder). */
function specPath(): string | undefined {
  const candidates = [process.env.OPENAI_OPENAPI_SPEC, path.join(root, "..", "shared", "reference", "openai-openapi.yaml"), path.join(root, "..", "..", "shared", "reference", "openai-openapi.yaml")];
  return candidates.find((p): p is string => p !== undefined && fs.existsSync(p));
}

describe("audit event types from the spec", () => {
  it("the committed table is the one generated from the spec copy (a new copy shows which types changed)", (t) => {
    const spec = specPath();
    if (!spec) {
      // Not a tool CI installs: a clone without the reference folder beside it (CI's may have none) skips this check.
      console.log("skipped: openai-openapi.yaml not available (no shared/reference beside the repository; set OPENAI_OPENAPI_SPEC)");
      t.skip("spec copy not available");
      return;
    }
    const generated = eventTypesFromSpec(parse(fs.readFileSync(spec, "utf8"), { maxAliasCount: -1 }) as Record<string, unknown>);
    const committed = new Map(AUDIT_EVENT_TYPES.types.map((e) => [e.type, JSON.stringify(e)]));
    const fresh = new Map(generated.types.map((e) => [e.type, JSON.stringify(e)]));
    const changes = {
      added: [...fresh.keys()].filter((k) => !committed.has(k)),
      removed: [...committed.keys()].filter((k) => !fresh.has(k)),
      changed: [...fresh.keys()].filter((k) => committed.has(k) && committed.get(k) !== fresh.get(k)),
    };
    assert.deepEqual(changes, { added: [], removed: [], changed: [] }, "run: node dist/scripts/spec/auditEventTypes.js <spec> and review the diff");
    assert.equal(fs.readFileSync(path.join(root, "src", "schema", "openai-audit-event-types.json"), "utf8"), formatTable(generated));
  });

  it("knows the spec's 145 types, 88 of them tenant-scoped (tenant.* and the role binding events)", () => {
    const tenant = AUDIT_EVENT_TYPES.types.filter((t) => t.scope === "tenant").map((t) => t.type);
    assert.deepEqual([AUDIT_EVENT_TYPES.types.length, tenant.length, tenant.filter((t) => !t.startsWith("tenant."))], [145, 88, ["role.bound_to_resource", "role.unbound_from_resource"]]);
    assert.deepEqual([eventTypeScope("tenant.not_in_spec_yet"), eventTypeScope("project.renamed_someday"), isKnownEventType("tenant.future.thing")], ["tenant", "organization", false]);
  });

  for (const spec of AUDIT_EVENT_TYPES.types) {
    it(`maps ${spec.type}: EventDetails is the payload under the type's key${spec.hasId ? ", TargetId its id" : ""}, Scope ${spec.scope}`, () => {
      // Types without a payload schema still carry an object; its shape is unknown, so an arbitrary one must land whole.
      const payload = spec.example ?? { id: `obj-${spec.type}`, nested: { anything: [1, "two"] } };
      const event: AuditLogEvent = { id: `audit_log-${spec.type}`, type: spec.type, effective_at: 1_764_000_000,
        actor: { type: "session", session: { user: { id: "user-1", email: "a@example.com" }, ip_address: "203.0.113.9" } }, [spec.type]: payload };
      const row = toAuditLogRow(event, { ...origin, scope: spec.scope });
      assert.deepEqual(checkRow(AUDIT_LOGS_TABLE, row), []);
      const id = typeof payload.id === "string" ? payload.id : undefined;
      assert.deepEqual({ EventType: row.EventType, EventDetails: row.EventDetails, TargetId: row.TargetId, Scope: row.Scope, ActorUserId: row.ActorUserId, ActorIpAddress: row.ActorIpAddress, AdditionalFields: row.AdditionalFields },
        { EventType: spec.type, EventDetails: payload, TargetId: spec.hasId || spec.example === null ? id : undefined, Scope: spec.scope, ActorUserId: "user-1", ActorIpAddress: "203.0.113.9", AdditionalFields: null });
    });
  }
});

describe("actor columns from every actor shape", () => {
  // An actor beyond the spec's session / api_key shape is flattened into the columns and also kept in AdditionalFields.actor exactly as it came.
  const cases: Array<[string, unknown, Record<string, unknown>]> = [
    ["session (spec + example enrichment)", { type: "session", session: { user: { id: "u1", email: "u1@x" }, ip_address: "198.51.100.1", user_agent: "UA", ja3: "j3", ja4: "j4", ip_address_details: { country: "US", region: "CA", city: "SF", asn: "64500" } } },
      { ActorType: "session", ActorUserId: "u1", ActorUserEmail: "u1@x", ActorIpAddress: "198.51.100.1", ActorUserAgent: "UA", ActorJa3: "j3", ActorJa4: "j4", ActorCountry: "US", ActorRegion: "CA", ActorCity: "SF", ActorAsn: "64500", other: null }],
    ["user-owned API key", { type: "api_key", api_key: { id: "key_1", type: "user", user: { id: "u2", email: "u2@x" } } },
      { ActorType: "api_key", ActorApiKeyId: "key_1", ActorApiKeyType: "user", ActorUserId: "u2", ActorUserEmail: "u2@x", other: null }],
    ["service-account API key", { type: "api_key", api_key: { id: "key_2", type: "service_account", service_account: { id: "svc_1" } } },
      { ActorType: "api_key", ActorApiKeyId: "key_2", ActorApiKeyType: "service_account", ActorServiceAccountId: "svc_1", other: null }],
    ["a user actor (type named object)", { type: "user", user: { id: "u3", email: "u3@x" } }, { ActorType: "user", ActorUserId: "u3", ActorUserEmail: "u3@x", other: { type: "user", user: { id: "u3", email: "u3@x" } } }],
    ["a service account actor", { type: "service_account", service_account: { id: "svc_2" } }, { ActorType: "service_account", ActorServiceAccountId: "svc_2", other: { type: "service_account", service_account: { id: "svc_2" } } }],
    ["an unknown actor with a nested user and session fields", { type: "workload_identity", workload_identity: { id: "wi_1", user: { id: "u4" }, ip_address: "192.0.2.4" } },
      { ActorType: "workload_identity", ActorUserId: "u4", ActorIpAddress: "192.0.2.4", other: { type: "workload_identity", workload_identity: { id: "wi_1", user: { id: "u4" }, ip_address: "192.0.2.4" } } }],
    ["no actor", null, { other: null }],
  ];
  for (const [name, actor, expected] of cases) {
    it(name, () => {
      const row = toAuditLogRow({ id: "a", type: "tenant.user.added", effective_at: 1_764_000_000, actor: actor as AuditLogEvent["actor"] }, { ...origin, scope: "tenant" });
      const actorColumns = Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith("Actor") && k !== "ActorApiKey" && k !== "ActorSession"));
      const { other, ...columns } = expected;
      assert.deepEqual({ ...actorColumns, other: (row.AdditionalFields as { actor?: unknown } | null)?.actor ?? null }, { ...columns, other });
      assert.deepEqual(checkRow(AUDIT_LOGS_TABLE, row), []);
    });
  }
});
