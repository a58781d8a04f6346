/**
 * Compliance log record → row of `ChatGPTComplianceLogs_CL` or `ChatGPTCosts_CL`. Pure. The common
 * envelope is flattened to columns; everything beyond it, and any envelope field its columns do not
 * hold exactly, stays whole in `Payload`, so unknown fields and event types are kept, never rejected. Record shapes: chatgpt-compliance-api.md §2.1
 * (envelope, actor kinds, request_metadata), §2.2 (per-type fields, COSTS envelope).
 */
import { stringifyExact } from "../json/exactJson";
import type { JsonObject } from "../openai/types";
import { isoToNanos, nanosToIso } from "../compliance/isoTime";
import { additionalFields, asLong, asNumber, asObject, asString, compact, pick, type Holds } from "./common";
import { fitRow } from "./fieldLimits";

/** Where a record came from; stamped on every row. */
export interface ComplianceRowOrigin {
  readonly connectorName: string;
  readonly collectorId: string;
  /** ISO-8601; TimeGenerated when the record carries no usable time. */
  readonly collectedAt: string;
  readonly logFileId: string;
  /** ISO-8601 end_time of the log file. */
  readonly logFileEndTime: string;
  /** Where the file was listed. */
  readonly scope: string;
  /** 1-based line of the record in its file (its id when it has no event_id). */
  readonly line: number;
}

/** A non-empty string (`text` drops ""), an instant `instant` reads, a non-array object (kept whole in its column). */
const holdsText: Holds = (v) => typeof v === "string" && v !== "";
const holdsInstant: Holds = (v) => instant(v) !== undefined;
const holdsObject: Holds = (v) => asObject(v) !== undefined;
/** PrincipalId and PrincipalType hold a principal made of those two parts only. */
const holdsPrincipal: Holds = (v) => {
  const principal = asObject(v);
  return principal !== undefined && Object.entries(principal).every(([k, x]) => (k === "id" || k === "type") && (x === null || holdsText(x)));
};

/**
 * The envelope fields and what their columns hold exactly; any other field, or an envelope field
 * its columns cannot hold (a numeric timestamp, a principal with more parts, a string actor), is in
 * `Payload` (`AdditionalFields` for COSTS) as it came.
 */
const ENVELOPE: Readonly<Record<string, Holds>> = { event_id: holdsText, type: holdsText, timestamp: holdsInstant, principal: holdsPrincipal, actor: holdsObject, request_metadata: holdsObject };
const COSTS_ENVELOPE: Readonly<Record<string, Holds>> = { event_id: holdsText, type: holdsText, timestamp: holdsInstant, payload: holdsObject };

/** An ISO-8601 instant in the `Z` form Log Analytics accepts, or undefined. */
function instant(value: unknown): string | undefined {
  const nanos = typeof value === "string" ? isoToNanos(value) : undefined;
  return nanos === undefined ? undefined : nanosToIso(nanos);
}

/** A non-empty string, else undefined (the source sends "" for unknown geo fields). */
function text(value: unknown): string | undefined {
  const s = asString(value);
  return s === undefined || s === "" ? undefined : s;
}

function eventIdOf(record: JsonObject, origin: ComplianceRowOrigin): string {
  return text(record.event_id) ?? `${origin.logFileId}:${origin.line}`;
}

/** `AS29518` and `29518` are the same network. */
function asn(value: unknown): string | undefined {
  return text(value)?.replace(/^AS/i, "");
}

function stamp(origin: ComplianceRowOrigin) {
  return { LogFileId: origin.logFileId, LogFileEndTime: instant(origin.logFileEndTime), ConnectorName: origin.connectorName, CollectorId: origin.collectorId };
}

/** Maps one record with the common envelope to a `ChatGPTComplianceLogs_CL` row. */
export function toComplianceLogRow(record: JsonObject, origin: ComplianceRowOrigin): Record<string, unknown> {
  const actor = asObject(record.actor);
  const runtime = asObject(actor?.agent_runtime);
  const delegator = asObject(runtime?.delegator);
  const metadata = asObject(record.request_metadata);
  const geo = asObject(metadata?.client_ip_details);
  const actionData = asObject(record.action_data);
  const details = asObject(record.event_details);
  const updated = asObject(details?.updated_fields);
  const message = asObject(record.message);
  const timestamp = instant(record.timestamp);
  const agent = actor?.type === "AGENT";
  return fitRow(compact({
    TimeGenerated: timestamp ?? origin.collectedAt,
    EventId: eventIdOf(record, origin),
    EventType: text(record.type),
    Timestamp: timestamp,
    PrincipalId: text(pick(record, "principal", "id")),
    PrincipalType: text(pick(record, "principal", "type")),
    ActorType: text(actor?.type),
    ActorUserId: text(actor?.user_id),
    ActorUserEmail: text(actor?.user_email),
    ActorApiKeyRedactedId: text(actor?.redacted_id),
    ActorAgentId: agent ? text(actor?.id) : undefined,
    ActorAgentName: agent ? text(actor?.name) : undefined,
    ActorAgentProductType: text(actor?.product_type),
    ActorAgentProductId: text(actor?.product_id),
    ActorAgentRuntimeId: text(runtime?.id),
    ActorAgentTaskId: text(pick(actor, "agent_task", "id")),
    ActorDelegatorType: text(delegator?.type),
    ActorDelegatorUserId: text(delegator?.user_id),
    ActorDelegatorUserEmail: text(delegator?.user_email),
    Actor: actor ?? null,
    ClientIp: text(metadata?.client_ip),
    ClientCountry: text(geo?.country),
    ClientRegion: text(geo?.region),
    ClientRegionCode: text(geo?.region_code),
    ClientCity: text(geo?.city),
    ClientAsn: asn(geo?.asn),
    ClientLatitude: asNumber(geo?.latitude),
    ClientLongitude: asNumber(geo?.longitude),
    ClientUserAgent: text(metadata?.client_user_agent),
    ClientJa3: text(metadata?.client_ja3),
    ClientJa4: text(metadata?.client_ja4),
    DestinationHostname: text(metadata?.destination_hostname),
    RequestMetadata: metadata ?? null,
    Action: text(record.action) ?? text(actionData?.action),
    ActionResult: text(record.action_result),
    ActionPrivilege: text(record.action_privilege),
    ActionData: actionData ?? null,
    EventSubtype: text(record.event_type),
    ClientId: text(record.client_id),
    WorkspaceId: text(record.workspace_id),
    AppId: text(record.app_id),
    AppName: text(record.app_name),
    AppType: text(record.app_type),
    LinkId: text(record.link_id),
    LogType: text(record.log_type),
    ConversationId: text(record.conversation_id) ?? text(pick(record, "conversation", "id")),
    MessageId: text(message?.id),
    MessageAuthorType: text(pick(message, "author", "type")),
    FindingId: text(details?.finding_id),
    FindingStatus: text(updated?.status) ?? text(details?.status),
    FindingCriticality: text(updated?.criticality) ?? text(details?.criticality),
    EventDetails: details ?? null,
    Payload: additionalFields(record, ENVELOPE),
    Scope: origin.scope,
    ...stamp(origin),
  }));
}

function hourStart(day: unknown, hour: unknown): number | undefined {
  const d = text(day);
  const h = asLong(hour);
  if (d === undefined || h === undefined || h < 0 || h > 23 || !/^\d{4}-\d{2}-\d{2}$/.test(d)) return undefined;
  const ms = Date.parse(`${d}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms + h * 3_600_000;
}

function credits(billing: unknown): number | undefined {
  if (!Array.isArray(billing)) return undefined;
  const values = billing.filter((b) => pick(b, "cost", "unit") === "CREDITS").map((b) => asNumber(pick(b, "cost", "value"))).filter((v): v is number => v !== undefined);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
}

/** Maps one COSTS record to a `ChatGPTCosts_CL` row. */
export function toChatGPTCostRow(record: JsonObject, origin: ComplianceRowOrigin): Record<string, unknown> {
  const payload = asObject(record.payload);
  const identity = asObject(payload?.identity);
  const usage = asObject(pick(payload, "measures", "usage"));
  const billing = pick(payload, "measures", "billing");
  const timestamp = instant(record.timestamp);
  const start = hourStart(payload?.day, payload?.hour);
  const reasoning = payload?.reasoning;
  return fitRow(compact({
    TimeGenerated: timestamp ?? (start === undefined ? origin.collectedAt : new Date(start + 3_599_000).toISOString()),
    EventId: eventIdOf(record, origin),
    EventType: text(record.type),
    Timestamp: timestamp,
    HourStart: start === undefined ? undefined : new Date(start).toISOString(),
    Day: text(payload?.day),
    Hour: asLong(payload?.hour),
    OrganizationId: text(payload?.organization_id),
    UserId: text(identity?.user_id),
    UserEmail: text(identity?.email)?.toLowerCase(),
    UserName: text(identity?.name),
    UserGroups: Array.isArray(identity?.groups) ? identity.groups : null,
    Product: text(payload?.product),
    Client: text(payload?.client),
    Surface: text(payload?.surface),
    Model: text(payload?.model),
    ServiceTier: text(payload?.service_tier),
    Reasoning: reasoning === undefined || reasoning === null ? undefined : typeof reasoning === "string" ? reasoning : stringifyExact(reasoning),
    TextInputTokens: asLong(usage?.text_input_tokens),
    TextCachedInputTokens: asLong(usage?.text_cached_input_tokens),
    TextOutputTokens: asLong(usage?.text_output_tokens),
    Credits: credits(billing),
    Billing: Array.isArray(billing) ? billing : null,
    Usage: usage ?? null,
    Payload: payload ?? null,
    AdditionalFields: additionalFields(record, COSTS_ENVELOPE),
    ...stamp(origin),
  }));
}
