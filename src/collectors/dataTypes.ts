/**
 * The data-type registry: everything the app knows about each kind of data a collector can read,
 * in one entry per `dataType`. Validation, the collector view (`url`), OpenAI error messages, the
 * connection test, `GET /api/data-types` and the collectors page all read it, so a new data type
 * (usage, costs, ChatGPT compliance logs) reaches the API and the page by adding one entry here
 * (plus its orchestrator branch and activity).
 *
 * Pure data and pure helpers: orchestrators may import it.
 */
import { DEFAULT_CHATGPT_COMPLIANCE_BASE_URL } from "../config";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, CHATGPT_COMPLIANCE_LOGS_TABLE, COSTS_TABLE, USAGE_TABLE } from "../schema/tables";
import { BUCKET_WIDTHS, DEFAULT_USAGE_BUCKET_WIDTH, USAGE_FAMILIES } from "../usage/series";

/** The kinds of OpenAI API key a data type can need. */
export type KeyKind = "admin" | "project" | "compliance";

/** What a kind of key is, how to recognise it and how to get one. */
export interface KeyKindInfo {
  /** Lower-case noun phrase, e.g. "organization admin API key". */
  readonly label: string;
  /**
   * Prefixes keys of this kind start with. `sk-admin-` is the form of an admin key's `value` in the
   * OpenAI spec (`POST /organization/admin_api_keys` example, openai-openapi.yaml L9352);
   * `sk-proj-` (project) and `sk-svcacct-` (service account) are the forms the OpenAI dashboard
   * issues (not in the spec). Legacy user keys (`sk-` + letters) cannot be told apart and match none.
   */
  readonly prefixes: readonly string[];
  /** Where a person creates one. */
  readonly howToGet: string;
}

/** Every key kind. */
export const KEY_KINDS: Readonly<Record<KeyKind, KeyKindInfo>> = {
  admin: {
    label: "organization admin API key",
    prefixes: ["sk-admin-"],
    howToGet: "An organization owner creates it at platform.openai.com → Settings → Organization → Admin keys (admin keys cannot call model endpoints).",
  },
  project: {
    label: "project API key",
    prefixes: ["sk-proj-", "sk-svcacct-"],
    howToGet: "Create it at platform.openai.com → Settings → Project → API keys, in the project whose stored completions you want (a service-account key of that project works too).",
  },
  // chatgpt-compliance-api.md §1.3: self-serve keys are shown as sk-comp-…; keys of the older path are
  // Platform keys given the compliance scopes by OpenAI support, whose prefix tells nothing.
  compliance: {
    label: "ChatGPT Compliance API key",
    prefixes: ["sk-comp-"],
    howToGet: "A ChatGPT Enterprise/Edu workspace owner creates it at chatgpt.com/admin → Compliance → API keys (or OpenAI support grants the compliance scopes to a new Platform key of the organization linked to the workspace).",
  },
};

/** One data type. */
export interface DataTypeInfo {
  /** Short label for grids and menus, e.g. "Audit logs". */
  readonly label: string;
  /** One sentence on what is collected. */
  readonly description: string;
  /** Path of the list endpoint under the API base (`https://api.openai.com/v1/` + this); for usage, the root of its families' endpoints. */
  readonly endpointPath: string;
  /** The API it reads when not the OpenAI API: the ChatGPT Compliance API (CHATGPT_COMPLIANCE_BASE_URL). */
  readonly api?: "chatgptCompliance";
  /** The kind of key it needs. */
  readonly keyKind: KeyKind;
  /** Other key kinds whose prefix a working key may have (the connection test does not refuse them unsent). */
  readonly alsoAcceptsKeyKinds?: readonly KeyKind[];
  /**
   * What the key must be able to do, as a phrase following "needs", used in error messages and
   * on the page. Source: docs/openai-api.md §1 (shared reference).
   */
  readonly keyRequirement: string;
  /**
   * Set-up outside the key that access also depends on, as a lower-case clause ("audit logging must
   * also be enabled …"), or null. Shown on the page and in unauthorized errors.
   */
  readonly prerequisite: string | null;
  /** Log Analytics table (`*_CL`) the rows land in. */
  readonly table: string;
  /** DCR stream the rows are sent to (`Custom-<table>`). */
  readonly stream: string;
  /**
   * Values of the data type's own definition fields, for the page's form: usage families
   * (`families`, all by default) and bucket widths (`bucketWidth`, the first is the default).
   */
  readonly choices?: { readonly families?: readonly string[]; readonly bucketWidths?: readonly string[] };
}

/** Where to switch audit logging on (third-party guides; OpenAI docs give no path). */
export const AUDIT_LOGGING_SETTING = "Settings → Organization → Data controls → Data retention → Audit logging";

/** The registry. Keys are the `dataType` values of the management API. */
export const DATA_TYPES = {
  auditLogs: {
    label: "Audit logs",
    description: "User actions, API key management, organization changes and security events of the OpenAI organization.",
    endpointPath: "organization/audit_logs",
    keyKind: "admin",
    keyRequirement: "an organization admin API key (sk-admin-…) with audit log read access",
    prerequisite: `audit logging must also be enabled in the OpenAI organization (${AUDIT_LOGGING_SETTING})`,
    table: AUDIT_LOGS_TABLE.tableName,
    stream: AUDIT_LOGS_TABLE.streamName,
  },
  chatCompletions: {
    label: "Stored chat completions",
    description: "Chat completions created with store: true in one project: model usage and token consumption.",
    endpointPath: "chat/completions",
    keyKind: "project",
    keyRequirement: "a project API key for the project whose stored completions (store: true) should be collected",
    prerequisite: null,
    table: CHAT_COMPLETIONS_TABLE.tableName,
    stream: CHAT_COMPLETIONS_TABLE.streamName,
  },
  complianceLogs: {
    label: "ChatGPT compliance logs",
    description: "Compliance logs of a ChatGPT Enterprise/Edu workspace: sign-ins, admin audit, apps and connectors, Codex, custom agents, hourly costs, and conversation messages when opted in.",
    endpointPath: "workspaces/{workspaceId}/logs",
    api: "chatgptCompliance",
    keyKind: "compliance",
    // A key of the older path is a Platform project key that OpenAI support gave the compliance scopes.
    alsoAcceptsKeyKinds: ["project"],
    keyRequirement: "a ChatGPT Enterprise/Edu Compliance API key that can read the workspace or organization the collector names (a workspace owner creates it at chatgpt.com/admin → Compliance → API keys; an OpenAI Platform admin or project key is refused)",
    prerequisite: null,
    // COSTS rows go to ChatGPTCosts_CL (src/compliance/eventTypes.ts).
    table: CHATGPT_COMPLIANCE_LOGS_TABLE.tableName,
    stream: CHATGPT_COMPLIANCE_LOGS_TABLE.streamName,
  },
  // Usage and costs: src/usage/series.ts has the endpoints' families, group dimensions and limits.
  usage: {
    label: "Usage data",
    description: "Tokens, requests, images, audio, vector store and tool usage of the organization in time buckets, per project, user, API key and model, for every usage family.",
    // The families' endpoints are organization/usage/<family> (src/usage/series.ts).
    endpointPath: "organization/usage",
    keyKind: "admin",
    keyRequirement: "an organization admin API key (sk-admin-…) with usage read access",
    prerequisite: null,
    table: USAGE_TABLE.tableName,
    stream: USAGE_TABLE.streamName,
    choices: { families: USAGE_FAMILIES, bucketWidths: [DEFAULT_USAGE_BUCKET_WIDTH, ...BUCKET_WIDTHS.filter((w) => w !== DEFAULT_USAGE_BUCKET_WIDTH)] },
  },
  costs: {
    label: "Costs",
    description: "What the organization spends per day, per project, line item and API key, in its billing currency.",
    endpointPath: "organization/costs",
    keyKind: "admin",
    keyRequirement: "an organization admin API key (sk-admin-…) with usage read access",
    prerequisite: null,
    table: COSTS_TABLE.tableName,
    stream: COSTS_TABLE.streamName,
  },
} as const satisfies Record<string, DataTypeInfo>;

/** Which kind of data a collector reads: a key of {@link DATA_TYPES}. */
export type DataType = keyof typeof DATA_TYPES;

/** Every data type, in registry order. */
export const DATA_TYPE_NAMES = Object.keys(DATA_TYPES) as [DataType, ...DataType[]];

/** Whether `value` names a registered data type. */
export function isDataType(value: unknown): value is DataType {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(DATA_TYPES, value);
}

/** The registry entry of `dataType`. */
export function dataTypeInfo(dataType: DataType): DataTypeInfo {
  return DATA_TYPES[dataType];
}

/**
 * The endpoint a data type polls, e.g. `https://api.openai.com/v1/organization/audit_logs`; on the
 * ChatGPT Compliance API base for the types that read it.
 */
export function endpointUrl(openaiBaseUrl: string, dataType: DataType, complianceBaseUrl: string = DEFAULT_CHATGPT_COMPLIANCE_BASE_URL): string {
  const info: DataTypeInfo = DATA_TYPES[dataType];
  return `${(info.api === "chatgptCompliance" ? complianceBaseUrl : openaiBaseUrl).replace(/\/+$/, "")}/${info.endpointPath}`;
}

/** A data type's label inside a sentence: lower case, except names that keep their capitals ("ChatGPT …"). */
export function labelInSentence(info: DataTypeInfo): string {
  const first = info.label.split(" ")[0]!;
  return first.slice(1) === first.slice(1).toLowerCase() ? info.label.charAt(0).toLowerCase() + info.label.slice(1) : info.label;
}

/** What a data type needs of its key, in words: "Collecting audit logs needs an organization admin API key …". */
export function keyRequirementSentence(dataType: DataType): string {
  const info: DataTypeInfo = DATA_TYPES[dataType];
  return `Collecting ${labelInSentence(info)} needs ${info.keyRequirement}${info.prerequisite ? `; ${info.prerequisite}` : ""}.`;
}

/**
 * The kind of an OpenAI key judged by its prefix (see {@link KeyKindInfo.prefixes}); undefined when
 * the prefix tells nothing (legacy `sk-` keys, keys of local fakes). Never returns or logs the key.
 */
export function keyKindOf(key: string): KeyKind | undefined {
  for (const [kind, info] of Object.entries(KEY_KINDS) as Array<[KeyKind, KeyKindInfo]>) {
    if (info.prefixes.some((prefix) => key.startsWith(prefix))) return kind;
  }
  return undefined;
}

/** Whether a key of `kind` can be right for `dataType`: its own kind or one it also accepts ({@link DataTypeInfo.alsoAcceptsKeyKinds}). */
export function keyKindFits(dataType: DataType, kind: KeyKind): boolean {
  const info: DataTypeInfo = DATA_TYPES[dataType];
  return kind === info.keyKind || (info.alsoAcceptsKeyKinds?.includes(kind) ?? false);
}

/** A data type as `GET /api/data-types` shows it. */
export interface DataTypeView extends DataTypeInfo {
  readonly dataType: DataType;
  /** The endpoint on this app's OpenAI base. */
  readonly url: string;
  readonly key: KeyKindInfo & { readonly kind: KeyKind };
}

/** Every data type with its endpoint on `openaiBaseUrl` (or the Compliance API base) and its key kind spelled out. */
export function dataTypeViews(openaiBaseUrl: string, complianceBaseUrl?: string): DataTypeView[] {
  return DATA_TYPE_NAMES.map((dataType) => {
    const info: DataTypeInfo = DATA_TYPES[dataType];
    return { dataType, ...info, url: endpointUrl(openaiBaseUrl, dataType, complianceBaseUrl), key: { kind: info.keyKind, ...KEY_KINDS[info.keyKind] } };
  });
}
