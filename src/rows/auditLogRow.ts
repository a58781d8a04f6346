/**
 * Audit log event → `OpenAIAuditLogs_CL` row. Pure. The first ten columns reproduce Microsoft's
 * DCR transform exactly; the flattened columns come from the actor and project objects, reading
 * both the documented schema and the richer shape OpenAI's own examples show.
 */
import type { AuditLogEvent } from "../openai/types";
import { asObject, asString, compact, pick, unixSecondsToIso, unknownFields } from "./common";
import { fitRow } from "./fieldLimits";

/** Where a row came from; stamped on every row. */
export interface RowOrigin {
  /** The collector's friendly name (Microsoft's `ConnectorName`). */
  readonly connectorName: string;
  /** The collector id. */
  readonly collectorId: string;
  /** Used as TimeGenerated when the event carries no usable time (ISO-8601). */
  readonly collectedAt: string;
}

/** A row of `OpenAIAuditLogs_CL`; keys are column names. */
export type AuditLogRow = Record<string, unknown>;

const MAPPED_KEYS = new Set(["id", "type", "effective_at", "actor", "project", "object"]);

/** Maps one audit event to its row. Unknown types and fields are kept, never rejected. */
export function toAuditLogRow(event: AuditLogEvent, origin: RowOrigin): AuditLogRow {
  const actor = asObject(event.actor);
  const session = asObject(actor?.session);
  const apiKey = asObject(actor?.api_key);
  const project = asObject(event.project);
  const geo = asObject(session?.ip_address_details);
  const details = asObject(event[event.type]) ?? (event[event.type] !== undefined ? { value: event[event.type] } : null);
  const effectiveAt = unixSecondsToIso(event.effective_at);
  const known = new Set([...MAPPED_KEYS, event.type]);

  return fitRow(compact({
    TimeGenerated: effectiveAt ?? origin.collectedAt,
    Id: event.id,
    EventType: event.type,
    EffectiveAt: effectiveAt,
    ActorType: asString(actor?.type),
    ActorApiKey: apiKey ?? null,
    ActorSession: session ?? null,
    Project: project ?? null,
    EventDetails: details,
    ConnectorName: origin.connectorName,
    ActorUserId: asString(pick(session, "user", "id") ?? pick(apiKey, "user", "id")),
    ActorUserEmail: asString(pick(session, "user", "email") ?? pick(apiKey, "user", "email")),
    ActorIpAddress: asString(session?.ip_address),
    ActorUserAgent: asString(session?.user_agent),
    ActorCountry: asString(geo?.country),
    ActorRegion: asString(geo?.region),
    ActorCity: asString(geo?.city),
    ActorAsn: asString(geo?.asn),
    ActorJa3: asString(session?.ja3),
    ActorJa4: asString(session?.ja4),
    ActorApiKeyId: asString(apiKey?.id),
    ActorApiKeyType: asString(apiKey?.type),
    ActorServiceAccountId: asString(pick(apiKey, "service_account", "id")),
    ProjectId: asString(project?.id),
    ProjectName: asString(project?.name),
    TargetId: asString(details?.id),
    AdditionalFields: unknownFields(event, known),
    CollectorId: origin.collectorId,
  }));
}
