/**
 * Loads the Sentinel content (content/<Kind>/*) with a real YAML parser and analyses its KQL with
 * Kusto's language service against the tables' schema data, the parsers defined as functions the
 * way the workspace defines them.
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, CHATGPT_COMPLIANCE_LOGS_TABLE, CHATGPT_COSTS_TABLE, CONNECTOR_HEALTH_TABLE, COSTS_TABLE, USAGE_TABLE } from "../../src/schema/tables";
import { kqlAnalysis, type KqlAnalysis } from "../bicep/kusto";

/** The repository root (tests run from dist/test/content). */
export const ROOT = path.resolve(__dirname, "../../..");
/** The content folder, one sub-folder per kind. */
export const CONTENT = path.join(ROOT, "content");

/** One content file: its path, text and parsed document. */
export interface ContentFile<T> {
  readonly name: string;
  readonly relative: string;
  readonly text: string;
  readonly doc: T;
}

/** Fields of rules and hunting queries the tests read. */
export interface QueryTemplate {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly severity?: string;
  readonly queryFrequency?: string;
  readonly queryPeriod?: string;
  readonly requiredDataConnectors: ReadonlyArray<{ connectorId: string; dataTypes: string[] }>;
  readonly tactics: readonly string[];
  readonly relevantTechniques?: readonly string[];
  readonly query: string;
  readonly entityMappings: ReadonlyArray<{ entityType: string; fieldMappings: Array<{ identifier: string; columnName: string }> }>;
  readonly customDetails?: Record<string, string>;
  readonly alertDetailsOverride?: { alertDisplayNameFormat?: string; alertDescriptionFormat?: string };
  readonly version: string;
}

/** A parser file. */
export interface ParserTemplate {
  readonly id: string;
  readonly FunctionName: string;
  readonly FunctionAlias: string;
  readonly FunctionParams?: ReadonlyArray<{ Name: string; Type: string; Default: string | boolean | number }>;
  readonly FunctionQuery: string;
}

/** Files of one content folder, sorted by name. */
export function contentFiles(kind: string): string[] {
  return fs.readdirSync(path.join(CONTENT, kind)).sort();
}

/** The YAML documents of one content folder. */
export function loadYamlFolder<T>(kind: "AnalyticRules" | "HuntingQueries" | "Parsers"): ContentFile<T>[] {
  return contentFiles(kind).map((name) => {
    const relative = `content/${kind}/${name}`;
    const text = fs.readFileSync(path.join(ROOT, relative), "utf8");
    return { name, relative, text, doc: parse(text, { strict: true, uniqueKeys: true }) as T };
  });
}

/** The workspace's tables, from the schema data. */
export const WORKSPACE_TABLES = {
  [AUDIT_LOGS_TABLE.tableName]: AUDIT_LOGS_TABLE.columns,
  [CHAT_COMPLETIONS_TABLE.tableName]: CHAT_COMPLETIONS_TABLE.columns,
  [CONNECTOR_HEALTH_TABLE.tableName]: CONNECTOR_HEALTH_TABLE.columns,
  [CHATGPT_COMPLIANCE_LOGS_TABLE.tableName]: CHATGPT_COMPLIANCE_LOGS_TABLE.columns,
  [CHATGPT_COSTS_TABLE.tableName]: CHATGPT_COSTS_TABLE.columns,
  [USAGE_TABLE.tableName]: USAGE_TABLE.columns,
  [COSTS_TABLE.tableName]: COSTS_TABLE.columns,
};

const parserParams = (p: ParserTemplate) => (p.FunctionParams ?? []).map((x) => `${x.Name}:${x.Type}=${String(x.Default)}`).join(", ");

/** `let` statements defining every parser as the workspace does (functions that use others come later). */
export function parserDefinitions(parsers: readonly ParserTemplate[] = loadYamlFolder<ParserTemplate>("Parsers").map((f) => f.doc)): string {
  const usesOthers = (p: ParserTemplate) => parsers.some((o) => o !== p && new RegExp(`\\b${o.FunctionAlias}\\b`).test(p.FunctionQuery));
  const ordered = [...parsers.filter((p) => !usesOthers(p)), ...parsers.filter(usesOthers)];
  return ordered.map((p) => `let ${p.FunctionAlias} = ${p.FunctionParams ? `(${parserParams(p)})` : "view ()"} {\n${p.FunctionQuery.trim().replace(/;$/, "")}\n};\n`).join("");
}

/** Analyses a query that may call the parsers. Error offsets count from the start of the query itself. */
export function analyse(query: string): KqlAnalysis {
  const prelude = parserDefinitions();
  const result = kqlAnalysis(prelude + query, WORKSPACE_TABLES);
  return { ...result, errors: result.errors.map((e) => e.replace(/ at (\d+)$/, (_, n: string) => ` at ${Number(n) - prelude.length}`)) };
}

/** Durations like `30m`, `1h`, `14d` in minutes. */
export function minutes(duration: string): number {
  const m = /^(\d+)([mhd])$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  return Number(m[1]) * { m: 1, h: 60, d: 1_440 }[m[2] as "m" | "h" | "d"];
}

/**
 * String literals in a query that look like OpenAI audit event types: dotted names whose first part
 * is the first part of a known type (`api_key.`, `login.`, `tenant.`, ...).
 */
export function eventTypeLiterals(query: string, knownTypes: Iterable<string>): string[] {
  const families = new Set([...knownTypes].map((t) => t.split(".")[0]!));
  return [...new Set([...query.matchAll(/"([a-z_]+(?:\.[a-z_]+)+)"/g)].map((m) => m[1]!))].filter((l) => families.has(l.split(".")[0]!));
}
