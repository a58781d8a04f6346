/**
 * The Log Analytics tables as data. The JSON files beside this module are the single
 * source of truth: the row mappers, their tests and the Bicep templates (`loadJsonContent`)
 * all read them, so code and deployed tables cannot drift.
 */
import { isRawJsonNumber } from "../json/exactJson";
import auditLogsJson from "./openai-audit-logs.table.json";
import chatCompletionsJson from "./openai-chat-completions.table.json";
import connectorHealthJson from "./openai-connector-health.table.json";
import chatgptComplianceLogsJson from "./chatgpt-compliance-logs.table.json";
import chatgptCostsJson from "./chatgpt-costs.table.json";
import costsJson from "./openai-costs.table.json";
import usageJson from "./openai-usage.table.json";

/** Column types of a DCR stream declaration / custom table. */
export type ColumnType = "string" | "int" | "long" | "real" | "boolean" | "datetime" | "dynamic";

/** One column of a custom table. */
export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
}

/** A custom table and the DCR stream that feeds it. */
export interface TableSchema {
  readonly tableName: string;
  readonly streamName: string;
  readonly description: string;
  readonly retentionInDays: number;
  readonly columns: readonly ColumnSchema[];
}

/** `OpenAIAuditLogs_CL`. */
export const AUDIT_LOGS_TABLE = auditLogsJson as TableSchema;
/** `OpenAIChatCompletions_CL`. */
export const CHAT_COMPLETIONS_TABLE = chatCompletionsJson as TableSchema;
/** `OpenAIConnectorHealth_CL`: one row per collector generation. */
export const CONNECTOR_HEALTH_TABLE = connectorHealthJson as TableSchema;
/** `ChatGPTComplianceLogs_CL`: compliance log events with the common envelope. */
export const CHATGPT_COMPLIANCE_LOGS_TABLE = chatgptComplianceLogsJson as TableSchema;
/** `ChatGPTCosts_CL`: hourly ChatGPT cost records (COSTS). */
export const CHATGPT_COSTS_TABLE = chatgptCostsJson as TableSchema;
/** `OpenAIUsage_CL`: one row per usage bucket x group and snapshot. */
export const USAGE_TABLE = usageJson as TableSchema;
/** `OpenAICosts_CL`: one row per daily cost bucket x group and snapshot. */
export const COSTS_TABLE = costsJson as TableSchema;
/** Every table this app writes. */
export const TABLES: readonly TableSchema[] = [AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, CONNECTOR_HEALTH_TABLE, CHATGPT_COMPLIANCE_LOGS_TABLE, CHATGPT_COSTS_TABLE, USAGE_TABLE, COSTS_TABLE];

/** Log Analytics limits that apply to custom tables. */
export const LOG_ANALYTICS_LIMITS = {
  maxColumns: 500,
  maxColumnNameLength: 45,
  reservedColumnNames: ["_ResourceId", "id", "_SubscriptionId", "TenantId", "Type", "UniqueId", "Title"],
  columnNamePattern: /^[A-Za-z][A-Za-z0-9_]*$/,
} as const;

/** A problem found in a table definition or a row. */
export interface SchemaProblem {
  readonly column: string;
  readonly problem: string;
}

/** Checks a table definition against the Log Analytics limits. */
export function checkTableDefinition(table: TableSchema): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (table.columns.length > LOG_ANALYTICS_LIMITS.maxColumns) {
    problems.push({ column: "*", problem: `${table.columns.length} columns exceed ${LOG_ANALYTICS_LIMITS.maxColumns}` });
  }
  if (!table.tableName.endsWith("_CL")) problems.push({ column: "*", problem: "custom table names end in _CL" });
  if (table.streamName !== `Custom-${table.tableName}`) problems.push({ column: "*", problem: "stream must be Custom-<table>" });
  const seen = new Set<string>();
  for (const { name } of table.columns) {
    if (seen.has(name.toLowerCase())) problems.push({ column: name, problem: "duplicate column name" });
    seen.add(name.toLowerCase());
    if (name.length > LOG_ANALYTICS_LIMITS.maxColumnNameLength) problems.push({ column: name, problem: "name longer than 45 characters" });
    if (!LOG_ANALYTICS_LIMITS.columnNamePattern.test(name)) problems.push({ column: name, problem: "name must start with a letter and use letters, digits, _" });
    if ((LOG_ANALYTICS_LIMITS.reservedColumnNames as readonly string[]).includes(name)) problems.push({ column: name, problem: "reserved column name" });
  }
  if (!table.columns.some((c) => c.name === "TimeGenerated" && c.type === "datetime")) {
    problems.push({ column: "TimeGenerated", problem: "every table needs a datetime TimeGenerated" });
  }
  return problems;
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function matchesType(value: unknown, type: ColumnType): boolean {
  switch (type) {
    case "string": return typeof value === "string";
    case "int": return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31;
    case "long": return Number.isSafeInteger(value) || (isRawJsonNumber(value) && BigInt(value.text) >= -(2n ** 63n) && BigInt(value.text) < 2n ** 63n);
    case "real": return typeof value === "number" && Number.isFinite(value);
    case "boolean": return typeof value === "boolean";
    case "datetime": return typeof value === "string" && ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value));
    case "dynamic": return typeof value === "object";
  }
}

/**
 * Checks one row against a table: every key is a declared column, every non-null value has
 * the column's type. Missing columns are allowed (they land as null).
 */
export function checkRow(table: TableSchema, row: Record<string, unknown>): SchemaProblem[] {
  const columns = new Map(table.columns.map((c) => [c.name, c.type]));
  const problems: SchemaProblem[] = [];
  for (const [name, value] of Object.entries(row)) {
    const type = columns.get(name);
    if (type === undefined) problems.push({ column: name, problem: "not a column of " + table.tableName });
    else if (value !== null && value !== undefined && !matchesType(value, type)) {
      problems.push({ column: name, problem: `expected ${type}, got ${JSON.stringify(value)?.slice(0, 80)}` });
    }
  }
  return problems;
}
