/**
 * Audit log event → `OpenAIAuditLogs_CL` row. Pure. The first ten columns reproduce Microsoft's
 * DCR transform exactly; the flattened columns come from the actor and project objects, reading
 * both the documented schema and the richer shape OpenAI's own examples show.
 */
import type { AuditLogEvent } from "../openai/types";
import type { AuditScope } from "../audit/eventTypes";
import { actorColumns } from "./auditActor";
import { additionalFields, own, asObject, asString, compact, holdsDynamic, holdsString, holdsUnixTime, unixSecondsToIso, type Holds } from "./common";
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

const ACTOR_PARTS: Readonly<Record<string, Holds>> = { type: holdsString, session: holdsDynamic, api_key: holdsDynamic };

/** ActorType, ActorSession and ActorApiKey hold an actor made of those parts only (AuditLogActor in the spec). */
const holdsActor: Holds = (value) => {
  const actor = asObject(value);
  if (!actor || !Object.values(actor).some((v) => v !== null)) return false;
  return Object.entries(actor).every(([k, v]) => { const holds = own(ACTOR_PARTS, k); return holds !== undefined && (v === null || holds(v)); });
};

/** The top-level fields with named columns (id, type, effective_at, actor, project); the payload (`event[type]`) is added per event. */
const HELD: Readonly<Record<string, Holds>> = { id: holdsString, type: holdsString, effective_at: holdsUnixTime, actor: holdsActor, project: holdsDynamic };

/**
 * Maps one audit event to its row. Unknown types and fields are kept, never rejected: every
 * top-level field is held exactly by its column(s) or is in AdditionalFields as it came (the
 * record's `object`, a new field, an actor with parts the columns do not have, a scalar payload).
 */
export function toAuditLogRow(event: AuditLogEvent, origin: RowOrigin): AuditLogRow {
  // The payload lives under the event's type (EventDetails, as it came); a type naming another field has none.
  const payloadKey = typeof event.type === "string" && own(HELD, event.type) === undefined ? event.type : undefined;
  // Own fields only: a type such as "__proto__" or "toString" with no such field must not read the inherited value.
  const payload: unknown = payloadKey === undefined ? undefined : own(event, payloadKey);
  const details = asObject(payload);
  const project = asObject(event.project);
  const effectiveAt = unixSecondsToIso(event.effective_at);
  const held = payloadKey === undefined ? HELD : { ...HELD, [payloadKey]: holdsDynamic };
  // Flattened from any actor shape (auditActor.ts); an actor the columns do not hold exactly is also in AdditionalFields as it came.
  const actor = asObject(event.actor);

  return fitRow(compact({
    TimeGenerated: effectiveAt ?? origin.collectedAt,
    Id: event.id,
    EventType: event.type,
    EffectiveAt: effectiveAt,
    ...actorColumns(event.actor),
    ActorApiKey: holdsDynamic(actor?.api_key) ? actor!.api_key : null,
    ActorSession: holdsDynamic(actor?.session) ? actor!.session : null,
    Project: holdsDynamic(event.project) ? event.project : null,
    EventDetails: holdsDynamic(payload) ? payload : null,
    ConnectorName: origin.connectorName,
    ProjectId: asString(project?.id),
    ProjectName: asString(project?.name),
    TargetId: asString(details?.id),
    AdditionalFields: additionalFields(event, held),
    CollectorId: origin.collectorId,
    Scope: origin.scope ?? "organization",
  }));
}
