/**
 * Audit log event → `OpenAIAuditLogs_CL` row. Pure. The first ten columns reproduce Microsoft's
 * DCR transform exactly; the flattened columns come from the actor and project objects, reading
 * both the documented schema and the richer shape OpenAI's own examples show.
 */
import type { AuditLogEvent } from "../openai/types";
import type { AuditScope } from "../audit/eventTypes";
import { actorColumns } from "./auditActor";
import { asObject, asString, compact, unixSecondsToIso, unknownFields } from "./common";
import { fitRow } from "./fieldLimits";

/** Where a row came from; stamped on every row. */
export interface RowOrigin {
  /** The collector's friendly name (Microsoft's `ConnectorName`). */
  readonly connectorName: string;
  /** The collector id. */
  readonly collectorId: string;
  /** Used as TimeGenerated when the event carries no usable time (ISO-8601). */
  readonly collectedAt: string;
  /** The scope the event was listed under (`tenant` when read with `tenant_only=true`); absent: organization. */
  readonly scope?: AuditScope;
}

/** A row of `OpenAIAuditLogs_CL`; keys are column names. */
export type AuditLogRow = Record<string, unknown>;

const MAPPED_KEYS = new Set(["id", "type", "effective_at", "actor", "project", "object"]);
const ACTOR_MAPPED_KEYS = new Set(["type", "session", "api_key"]);

/** Maps one audit event to its row. Unknown types and fields are kept, never rejected. */
export function toAuditLogRow(event: AuditLogEvent, origin: RowOrigin): AuditLogRow {
  const actor = actorColumns(event.actor);
  const project = asObject(event.project);
  const details = asObject(event[event.type]) ?? (event[event.type] !== undefined ? { value: event[event.type] } : null);
  const effectiveAt = unixSecondsToIso(event.effective_at);
  const known = new Set([...MAPPED_KEYS, event.type]);
  // An actor shape beyond the spec's session / api_key lands whole in AdditionalFields.actor.
  const otherActor = unknownFields(asObject(event.actor) ?? {}, ACTOR_MAPPED_KEYS);
  const additional = unknownFields(event, known);

  return fitRow(compact({
    TimeGenerated: effectiveAt ?? origin.collectedAt,
    Id: event.id,
    EventType: event.type,
    EffectiveAt: effectiveAt,
    ...actor,
    Project: project ?? null,
    EventDetails: details,
    ConnectorName: origin.connectorName,
    ProjectId: asString(project?.id),
    ProjectName: asString(project?.name),
    TargetId: asString(details?.id),
    AdditionalFields: otherActor ? { ...additional, actor: otherActor } : additional,
    CollectorId: origin.collectorId,
    Scope: origin.scope ?? "organization",
  }));
}
