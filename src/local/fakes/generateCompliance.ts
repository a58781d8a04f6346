/**
 * Generated ChatGPT compliance log records for the local Compliance API: every event type with
 * the envelope and payload shapes the public samples show (chatgpt-compliance-api.md §2: Elastic's
 * pipeline fixtures, Gram's fixtures), and their grouping into log files the way the Logs
 * Platform publishes them (one file per event type and period, COSTS hourly and repeating some
 * event ids in the next file). Deterministic for a seed.
 */
import { createHash } from "node:crypto";
import { unixSecondsToIsoMicros } from "../../compliance/isoTime";
import type { ComplianceScope } from "../../compliance/eventTypes";
import { seededRandom } from "./generate";

/** A ChatGPT workspace and the API Platform organization linked to it. */
export interface ComplianceOrg {
  readonly workspaceId: string;
  readonly organizationId: string;
}

/** One record, with the event type and time it is filed under. */
export interface ComplianceRecord {
  readonly eventType: string;
  /** Unix seconds the record is filed at (its timestamp; the hour's end for COSTS). */
  readonly at: number;
  readonly record: Record<string, unknown>;
}

/** A log file to serve: where it is listed and what it holds. */
export interface LogFileSpec {
  readonly id: string;
  readonly scope: ComplianceScope;
  readonly scopeId: string;
  readonly eventType: string;
  /** ISO-8601 end_time (microseconds). */
  readonly endTime: string;
  readonly records: readonly Record<string, unknown>[];
}

const USERS = ["alice.martin", "bob.singh", "carol.jones", "dave.lee", "erin.kim", "frank.ortiz", "grace.chen", "heidi.novak"];
const PLACES: Array<[string, string, string, string, string, string, string]> = [
  ["GB", "London", "England", "ENG", "", "51.50853", "-0.12574"],
  ["SE", "Stockholm", "Stockholm County", "AB", "AS29518", "59.32938", "18.06871"],
  ["US", "Seattle", "Washington", "WA", "64500", "47.60620", "-122.33210"],
  ["DE", "Berlin", "Berlin", "BE", "64501", "52.52000", "13.40500"],
];
const AGENTS = ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/127.0", "ChatGPT/1.2026.070 (Mac OS X 14.5)"];

/** A UUID-shaped id derived from `text` (stable across runs). */
export function stableUuid(text: string): string {
  const h = createHash("sha256").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The person behind user number `n`. */
export function complianceUser(n: number): { user_id: string; user_email: string } {
  const name = USERS[n % USERS.length]!;
  return { user_id: `user-${createHash("sha1").update(name).digest("base64url").slice(0, 20)}`, user_email: `${name}@example.org` };
}

/** `request_metadata` of a request from place `p` (see PLACES) and user agent `a`. */
export function requestMetadata(ip: string, place: number, agent: number, ja4 = "q13d0311h3_55b375c5d22e_653d80c3fe9d"): Record<string, unknown> {
  const [country, city, region, region_code, asn, latitude, longitude] = PLACES[place % PLACES.length]!;
  return {
    client_ip: ip, client_ip_details: { country, city, region, region_code, asn, latitude, longitude },
    client_user_agent: AGENTS[agent % AGENTS.length], client_ja3: "f90ffded875933863a95a1a84285c922", client_ja4: ja4, destination_hostname: null,
  };
}

type Builder = (i: number, random: () => number, base: Record<string, unknown>, org: ComplianceOrg) => Record<string, unknown>;

const account = (i: number) => ({ type: "ACCOUNT_USER", ...complianceUser(i) });

/** Per event type: the fields beyond `event_id`, `type`, `timestamp` and `principal`. */
const BUILDERS: Record<string, Builder> = {
  AUTH_LOG: (i, r) => ({ actor: account(i), request_metadata: requestMetadata(`81.2.69.${(i % 200) + 10}`, i % 3, i), action_data: { action: r() < 0.85 ? "login_success" : r() < 0.5 ? "login_failed" : "logout_success", role: "standard-user" } }),
  AUDIT_LOG: (i, r) => r() < 0.5
    ? { actor: { type: "API_KEY", redacted_id: "sk-...RxIA" }, action: "LIST_WORKSPACE_LOG_FILES", action_result: "SUCCESS", action_privilege: "ADMIN", request_metadata: requestMetadata("81.2.69.142", 0, 0), action_data: { limit: "100", event_type: "AUDIT_LOG" } }
    : { actor: account(0), action: "WORKSPACE_TOGGLE_FEATURE", action_result: "SUCCESS", action_privilege: "ADMIN", request_metadata: requestMetadata("89.160.20.112", 1, 1), action_data: { feature: "gpt_sharing", value: i % 2 === 0 } },
  APP_LOG: (i) => ({ actor: account(i), app_id: `connector_${(i % 5).toString(16).padStart(32, "0")}`, app_name: ["Google Drive", "GitHub", "Jira", "Slack", "SharePoint"][i % 5], app_type: i % 2 === 0 ? "MCP" : "SERVICE",
    conversation_id: stableUuid(`conversation-${i % 40}`), log_type: i % 2 === 0 ? "request" : "response", ...(i % 2 === 0 ? { input: { query: "quarterly report", _meta: { "openai/userAgent": AGENTS[0] } } } : { output: [{ action_name: "search", is_sync: true, internal: { external_call_time_ms: 120 + (i % 400) } }] }) }),
  APP_AUTH_LOG: (i) => ({ actor: account(i), app_id: `connector_${(i % 5).toString(16).padStart(32, "0")}`, link_id: `link_${createHash("sha1").update(`link-${i % 9}`).digest("hex").slice(0, 32)}`, action: i % 4 === 3 ? "unlink" : "link" }),
  CODEX_LOG: (i, _r, _b, org) => ({ actor: account(i), event_type: ["ACCESS_TOKEN_CREATED", "APP_MCP_CALL", "PROMPT_RESPONSE_RECEIVED", "TOOL_CALL_COMPLETED"][i % 4], client_id: ["CODEX_WEB", "CODEX_CLI", "CODEX_IDE_VSCODE"][i % 3], workspace_id: org.workspaceId,
    event_details: { detail_type: "TOOL_CALL_COMPLETED", tool_name: "shell", duration_ms: 800 + (i % 2000) } }),
  CODEX_SECURITY_LOG: (i, _r, _b, org) => ({ actor: account(i), event_type: "SCAN_FINDING_UPDATED", client_id: "CODEX_WEB", workspace_id: org.workspaceId,
    event_details: { detail_type: "SCAN_FINDING_UPDATED", finding_id: `hid-${i % 50}`, updated_fields: { status: ["open", "wontfix", "fixed"][i % 3], criticality: ["low", "medium"][i % 2], assignee_user_email: complianceUser(i + 1).user_email } } }),
  CUSTOM_AGENTS_LOG: (i, _r, _b, org) => ({ actor: i % 3 === 0 ? { type: "AGENT", product_type: "COLLAB_AGENT", id: `agent-${i % 6}`, name: `Release helper ${i % 6}`, product_id: `g-${i % 6}`, agent_runtime: { id: `run-${i}`, delegator: { type: "ACCOUNT_USER", ...complianceUser(i) } }, agent_task: { id: `task-${i}` } } : account(i),
    event_type: ["AGENT_CREATED", "AGENT_RUN_COMPLETED", "SKILL_USED", "CONNECTOR_CALL_COMPLETED"][i % 4], client_id: ["AGENT_BUILDER_WEB", "CHATGPT_WEB"][i % 2], workspace_id: org.workspaceId, event_details: { detail_type: "AGENT_RUN_COMPLETED", agent_id: `agent-${i % 6}` } }),
  CONVERSATION_MESSAGE: (i) => ({ actor: account(i), previous_message_id: i % 2 === 0 ? "" : stableUuid(`message-${i - 1}`),
    message: { id: stableUuid(`message-${i}`), created_at: 1_700_000_000 + i, author: i % 2 === 0 ? { type: "user", client_type: "desktop_web", tools_used: [], skills_used: [] } : { type: "assistant", model: "gpt-5", tools_used: [], skills_used: [] },
      content: { type: "text", value: i % 2 === 0 ? `Draft message number ${i} for the compliance demo` : `Here is a draft, as asked (${i}).`, annotations: [] } },
    conversation: { id: stableUuid(`conversation-${i % 40}`), title: `Demo conversation ${i % 40}`, created_at: 1_700_000_000, is_pinned: false, is_temporary_chat: i % 10 === 0 } }),
};

/** One COSTS record for `user` in the hour ending at `hourEnd` (Unix seconds, hh:59:59). */
export function costsRecord(user: number, hourEnd: number, org: ComplianceOrg, product = "ChatGPT"): Record<string, unknown> {
  const start = new Date((hourEnd - 3_599) * 1000);
  const u = complianceUser(user);
  const tokens = 1_000 + ((user * 7_919 + hourEnd) % 50_000);
  return {
    event_id: stableUuid(`costs-${user}-${hourEnd}-${product}`), type: "COSTS", timestamp: new Date(hourEnd * 1000).toISOString().replace(".000Z", "Z"),
    payload: {
      day: start.toISOString().slice(0, 10), hour: start.getUTCHours(), organization_id: org.organizationId,
      identity: { user_id: u.user_id, email: u.user_email.toUpperCase().startsWith("A") ? u.user_email.toUpperCase() : u.user_email, name: u.user_email.split("@")[0], groups: ["engineering"] },
      product, client: product === "codex" ? "codex_cli" : "web", surface: "chat", model: "gpt-5", service_tier: "default", reasoning: "medium",
      measures: { usage: { text_input_tokens: tokens, text_cached_input_tokens: Math.floor(tokens / 4), text_output_tokens: Math.floor(tokens / 3) },
        billing: [{ sku: "gpt-5-text", quantity: { value: tokens, unit: "TOKENS" }, cost: { value: Math.round(tokens / 100) / 10, unit: "CREDITS" } }] },
    },
  };
}

/** Every event type the generator knows, COSTS included. */
export const GENERATED_EVENT_TYPES = [...Object.keys(BUILDERS), "COSTS"];

/**
 * `count` records of every envelope type spread over [fromSec, toSec), plus COSTS records for a
 * few users in every whole hour of the range. Records of one type follow each other in time.
 */
export function generateComplianceRecords(org: ComplianceOrg, fromSec: number, toSec: number, count: number, seed = 1): ComplianceRecord[] {
  const random = seededRandom(seed);
  const types = Object.keys(BUILDERS);
  const span = Math.max(1, toSec - fromSec);
  const out: ComplianceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const eventType = types[i % types.length]!;
    const at = fromSec + Math.floor((i * span) / count);
    const base = { event_id: stableUuid(`${seed}-${i}`), type: eventType, timestamp: unixSecondsToIsoMicros(at).replace(/\.(\d{3})000Z$/, `.$1${String(i % 1000).padStart(3, "0")}Z`), principal: { id: org.workspaceId, type: "CHATGPT_WORKSPACE" } };
    out.push({ eventType, at, record: { ...base, ...BUILDERS[eventType]!(i, random, base, org) } });
  }
  for (let hourEnd = Math.ceil((fromSec + 1) / 3_600) * 3_600 - 1; hourEnd < toSec; hourEnd += 3_600) {
    for (let user = 0; user < 3; user++) out.push({ eventType: "COSTS", at: hourEnd, record: costsRecord(user, hourEnd, org, user === 2 ? "codex" : "ChatGPT") });
  }
  return out;
}

/** Where an event type is listed in the fake: COSTS under the organization, the rest under the workspace. */
export function scopeOfType(eventType: string, org: ComplianceOrg): { scope: ComplianceScope; scopeId: string } {
  return eventType === "COSTS" ? { scope: "organization", scopeId: org.organizationId } : { scope: "workspace", scopeId: org.workspaceId };
}

/**
 * Groups records into log files: one per event type and period of `fileSeconds` (COSTS: hourly),
 * ending at the period's end plus a microsecond fraction. Each COSTS file also repeats the last
 * record of the one before (the source is known to repeat COSTS event ids across files).
 */
export function logFilesOf(records: readonly ComplianceRecord[], org: ComplianceOrg, fileSeconds = 600, seed = 1): LogFileSpec[] {
  const groups = new Map<string, { eventType: string; end: number; records: Record<string, unknown>[] }>();
  for (const r of [...records].sort((a, b) => a.at - b.at)) {
    const width = r.eventType === "COSTS" ? 3_600 : fileSeconds;
    const end = Math.floor(r.at / width) * width + width;
    const key = `${r.eventType}@${end}`;
    const group = groups.get(key) ?? { eventType: r.eventType, end, records: [] };
    group.records.push(r.record);
    groups.set(key, group);
  }
  const files: LogFileSpec[] = [];
  let previousCosts: Record<string, unknown> | undefined;
  for (const g of [...groups.values()].sort((a, b) => a.end - b.end || a.eventType.localeCompare(b.eventType))) {
    const fraction = String(((g.end * 7_919 + seed) % 999_983) + 1).padStart(6, "0").slice(-6);
    const endTime = `${new Date(g.end * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
    let content = g.records;
    if (g.eventType === "COSTS") {
      content = previousCosts ? [previousCosts, ...g.records] : g.records;
      previousCosts = g.records[g.records.length - 1];
    }
    files.push({ id: `eclf_${createHash("sha1").update(`${seed}:${g.eventType}:${g.end}`).digest("hex").slice(0, 24)}`, ...scopeOfType(g.eventType, org), eventType: g.eventType, endTime, records: content });
  }
  return files;
}
