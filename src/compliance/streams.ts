/**
 * What a compliance-logs collector reads: its options (which workspace and/or organization, which
 * event types, the opt-in for conversation messages) resolved into streams — one
 * (event type, scope, id) listing each. Pure; the management API validates with it and the
 * orchestrator plans with it, so both agree on every stream.
 */
import { CONVERSATION_MESSAGE, COMPLIANCE_EVENT_TYPES, eventTypeInfo, type ComplianceScope } from "./eventTypes";

/** Default re-list overlap for log files published late, seconds. */
export const DEFAULT_OVERLAP_SECONDS = 3_600;

/** The `compliance` part of a collector definition (PUT /api/collectors/{id}). */
export interface ComplianceOptions {
  /** ChatGPT workspace id (a UUID): the scope of AUTH, AUDIT, APP, CODEX, agent and conversation logs. */
  readonly workspaceId?: string;
  /** API Platform organization id (`org-…`): the scope of COSTS. */
  readonly organizationId?: string;
  /** Event types to collect; default: every type collected by default whose scope has an id here. */
  readonly eventTypes?: readonly string[];
  /** Collect CONVERSATION_MESSAGE (message text). Off unless set to true. */
  readonly includeConversationMessages?: boolean;
  /** How far back each listing re-reads to catch files published late, seconds (default {@link DEFAULT_OVERLAP_SECONDS}). */
  readonly overlapSeconds?: number;
}

/** One listing a collector drains: `GET {base}/{scope}s/{scopeId}/logs?event_type={eventType}`. */
export interface ComplianceStream {
  readonly eventType: string;
  readonly scope: ComplianceScope;
  readonly scopeId: string;
}

/** Why options cannot be collected: the field (`compliance.<name>`) and what is wrong with it (a phrase following the field's name). */
export interface StreamProblem {
  readonly field: string;
  readonly message: string;
}

function idFor(options: ComplianceOptions, scope: ComplianceScope): string | undefined {
  return scope === "workspace" ? options.workspaceId : options.organizationId;
}

/** The streams of `options`, in a stable order, or the first problem. */
export function resolveStreams(options: ComplianceOptions): { readonly streams: ComplianceStream[] } | { readonly problem: StreamProblem } {
  if (!options.workspaceId && !options.organizationId) {
    return { problem: { field: "compliance", message: "needs workspaceId (a ChatGPT workspace UUID) or organizationId (org-...), or both" } };
  }
  const optIn = options.includeConversationMessages === true;
  const named = options.eventTypes;
  if (named?.includes(CONVERSATION_MESSAGE) && !optIn) {
    return { problem: { field: "compliance.eventTypes", message: `names ${CONVERSATION_MESSAGE}, which holds message text: set compliance.includeConversationMessages to true to collect it` } };
  }
  const wanted = named
    ? [...named, ...(optIn && !named.includes(CONVERSATION_MESSAGE) ? [CONVERSATION_MESSAGE] : [])]
    : Object.entries(COMPLIANCE_EVENT_TYPES).filter(([type, info]) => (info.collectedByDefault || (optIn && type === CONVERSATION_MESSAGE)) && idFor(options, info.scopes[0]!)).map(([type]) => type);
  const streams: ComplianceStream[] = [];
  for (const eventType of wanted) {
    const { scopes } = eventTypeInfo(eventType);
    const scope = scopes.find((s) => idFor(options, s));
    if (!scope) {
      const field = scopes[0] === "workspace" ? "workspaceId" : "organizationId";
      return { problem: { field: "compliance.eventTypes", message: `names ${eventType}, which is listed at ${scopes.join(" or ")} scope only: set compliance.${field}` } };
    }
    streams.push({ eventType, scope, scopeId: idFor(options, scope)! });
  }
  if (streams.length === 0) return { problem: { field: "compliance.eventTypes", message: "selects no event type to collect" } };
  return { streams };
}
