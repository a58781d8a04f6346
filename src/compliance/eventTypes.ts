/**
 * The Compliance Logs Platform's event types, as data: where each one lives (workspace or
 * organization scope), which table its records go to, whether the source repeats `event_id`s,
 * and whether the records hold user content. A new event type is one entry here. Pure; safe in
 * orchestrators. Source: chatgpt-compliance-api.md §1.1 (scopes), §2.2 (types and record
 * shapes), §3 (COSTS repeats event ids, measured by Gram).
 */

/** The two scopes of the Compliance API: `…/compliance/workspaces/{id}` or `…/organizations/{id}`. */
export type ComplianceScope = "workspace" | "organization";

/** What the connector knows about one event type. */
export interface ComplianceEventTypeInfo {
  /** Scopes the type is listed under, preferred first. */
  readonly scopes: readonly ComplianceScope[];
  /** Where its rows go: the common-envelope table or the hourly costs table. */
  readonly table: "logs" | "costs";
  /** Collected when a collector names no event types (CONVERSATION_MESSAGE never is: it needs the opt-in). */
  readonly collectedByDefault: boolean;
  /** The source emits the same `event_id` in more than one file, so rows are de-duplicated by it. */
  readonly repeatsEventIds: boolean;
  /** Records carry what users wrote (message text): collected only on an explicit opt-in. */
  readonly userContent: boolean;
}

/** The event type that carries conversation messages (user content). */
export const CONVERSATION_MESSAGE = "CONVERSATION_MESSAGE";

const workspaceLog = (overrides: Partial<ComplianceEventTypeInfo> = {}): ComplianceEventTypeInfo =>
  ({ scopes: ["workspace", "organization"], table: "logs", collectedByDefault: true, repeatsEventIds: false, userContent: false, ...overrides });

/**
 * Every event type with a documented record shape. Types named by third parties without a schema
 * (APP_ORGANIZATION_LOG, APP_AUTH_ORGANIZATION_LOG, CHATGPT_PLUGIN_SPREADSHEET_LOG, MEMORY_CONTEXT)
 * are not collected by default; a collector may still name them (they go to the logs table).
 */
export const COMPLIANCE_EVENT_TYPES: Readonly<Record<string, ComplianceEventTypeInfo>> = {
  AUTH_LOG: workspaceLog(),
  AUDIT_LOG: workspaceLog(),
  APP_LOG: workspaceLog(),
  APP_AUTH_LOG: workspaceLog(),
  CODEX_LOG: workspaceLog(),
  CODEX_SECURITY_LOG: workspaceLog(),
  CUSTOM_AGENTS_LOG: workspaceLog(),
  [CONVERSATION_MESSAGE]: workspaceLog({ collectedByDefault: false, userContent: true }),
  COSTS: { scopes: ["organization"], table: "costs", collectedByDefault: true, repeatsEventIds: true, userContent: false },
};

/** How an event type the registry does not know is treated: a logs-table type at either scope. */
export const UNKNOWN_EVENT_TYPE: ComplianceEventTypeInfo = workspaceLog({ collectedByDefault: false });

/** The registry entry of `eventType`, or {@link UNKNOWN_EVENT_TYPE}. */
export function eventTypeInfo(eventType: string): ComplianceEventTypeInfo {
  return COMPLIANCE_EVENT_TYPES[eventType] ?? UNKNOWN_EVENT_TYPE;
}

/** Event types are upper snake case (`AUTH_LOG`, `COSTS`). */
export const EVENT_TYPE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
