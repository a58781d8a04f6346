/**
 * The audit event types this product knows, from the committed table generated from OpenAI's
 * spec (`src/schema/openai-audit-event-types.json`, see scripts/spec/auditEventTypes.ts), and
 * the two scopes the list endpoint serves.
 */
import table from "../schema/openai-audit-event-types.json";
import type { SpecEventTypeTable } from "./eventTypesFromSpec";

/**
 * Where an audit event is listed: `organization` events by `GET /organization/audit_logs`,
 * `tenant` events only with `tenant_only=true` (spec: the `tenant_only` parameter, "Return only
 * tenant-scoped events associated with this organization").
 */
export type AuditScope = "organization" | "tenant";

/** Both scopes, in the order a collector plans them. */
export const AUDIT_SCOPES: readonly AuditScope[] = ["organization", "tenant"];

/** The generated table (spec `AuditLogEventType` and `AuditLog.properties`). */
export const AUDIT_EVENT_TYPES = table as SpecEventTypeTable;

const scopes = new Map(AUDIT_EVENT_TYPES.types.map((t) => [t.type, t.scope]));

/** True for a type in the spec's `AuditLogEventType` enum. */
export function isKnownEventType(type: string): boolean {
  return scopes.has(type);
}

/**
 * The scope OpenAI lists an event type under: the spec's, and for a type the spec does not name
 * yet, `tenant` for the `tenant.` prefix every tenant-scoped family uses, else `organization`.
 */
export function eventTypeScope(type: string): AuditScope {
  return scopes.get(type) ?? (type.startsWith("tenant.") ? "tenant" : "organization");
}
