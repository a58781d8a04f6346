/**
 * The Sentinel content in content/: rule and hunting YAML validated against Sentinel's template
 * rules (JSON schema + the cross-field checks Azure-Sentinel's CI makes), every query analysed by
 * Kusto's language service against the table schemas, the workbook's queries too, and the parsers'
 * shapes (the ASIM one against ASimAgentEventLogs).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import Ajv from "ajv";
import ruleSchema from "./schemas/analytic-rule.schema.json";
import huntingSchema from "./schemas/hunting-query.schema.json";
import parserSchema from "./schemas/parser.schema.json";
import mitre from "./schemas/mitre.json";
import auditEventTypes from "./schemas/openai-audit-event-types.json";
import { analyse, CONTENT, contentFiles, eventTypeLiterals, loadYamlFolder, minutes, parserDefinitions, ROOT, WORKSPACE_TABLES, type ContentFile, type ParserTemplate, type QueryTemplate } from "./contentFiles";
import { kqlAnalysis } from "../bicep/kusto";
import { AUDIT_EVENT_TYPES } from "../../src/audit/eventTypes";

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateRule = ajv.compile(ruleSchema);
const validateHunting = ajv.compile(huntingSchema);
const validateParser = ajv.compile(parserSchema);
const errorsOf = (validate: typeof validateRule, doc: unknown) => (validate(doc) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`));

const rules = loadYamlFolder<QueryTemplate>("AnalyticRules");
const hunting = loadYamlFolder<QueryTemplate>("HuntingQueries");
const parsers = loadYamlFolder<ParserTemplate>("Parsers");
const ATTACK = mitre.attack as Record<string, { tactics: string[]; subTechniques: Record<string, string> }>;
const KNOWN_EVENT_TYPES = new Set(auditEventTypes.eventTypes);
const ALIASES = parsers.map((p) => p.doc.FunctionAlias);

const SPEC_TYPES = new Map(AUDIT_EVENT_TYPES.types.map((t) => [t.type, t]));

/** Whether `path` (field names below the payload) exists in the spec's example payload of `type`. */
function specHasPath(type: string, path: readonly string[]): boolean {
  let node: unknown = SPEC_TYPES.get(type)?.example ?? null;
  for (const field of path) {
    while (Array.isArray(node)) node = node[0];
    if (typeof node !== "object" || node === null || !(field in node)) return false;
    node = (node as Record<string, unknown>)[field];
  }
  return true;
}

/**
 * Payload fields a query reads (`EventDetails.a.b`) that no event type it names has in the spec
 * (`AuditLog` properties, through the generated src/schema/openai-audit-event-types.json; tenant.*
 * types have no payload schema there, so no field of theirs can be read), and tenant-scope types
 * named by a query that does not return the `Scope` column.
 */
function specProblems(query: string, resultColumns: readonly string[]): string[] {
  const named = eventTypeLiterals(query, SPEC_TYPES.keys()).filter((t) => SPEC_TYPES.has(t));
  const paths = [...new Set([...query.matchAll(/\bEventDetails((?:\.[A-Za-z_]\w*)+)/g)].map((m) => m[1]!.slice(1)))];
  const problems = paths.filter((p) => !named.some((t) => specHasPath(t, p.split(".")))).map((p) => `reads EventDetails.${p}, which no event type it names has in the spec (${named.join(", ") || "none named"})`);
  const tenant = named.filter((t) => SPEC_TYPES.get(t)!.scope === "tenant");
  if (tenant.length > 0 && !resultColumns.includes("Scope")) problems.push(`names tenant-scope types (${tenant.join(", ")}) but does not return Scope`);
  if (/\bTargetId\s+(startswith|hasprefix|matches regex)/.test(query)) problems.push("reads a prefix or pattern into TargetId: the spec's ids are opaque");
  return problems;
}

/** Checks that apply to rules and hunting queries alike; returns the problems found. */
function templateProblems(file: ContentFile<QueryTemplate>): string[] {
  const t = file.doc;
  const problems: string[] = [];
  const analysis = analyse(t.query);
  problems.push(...analysis.errors.map((e) => `KQL: ${e}`));
  const columns = new Set(Object.keys(analysis.resultColumns));
  for (const mapping of t.entityMappings) {
    for (const f of mapping.fieldMappings) if (!columns.has(f.columnName)) problems.push(`entity ${mapping.entityType}.${f.identifier} maps ${f.columnName}, which the query does not return`);
  }
  for (const [key, column] of Object.entries(t.customDetails ?? {})) if (!columns.has(column)) problems.push(`custom detail ${key} reads ${column}, which the query does not return`);
  for (const format of [t.alertDetailsOverride?.alertDisplayNameFormat, t.alertDetailsOverride?.alertDescriptionFormat]) {
    const placeholders = [...(format ?? "").matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!);
    if (placeholders.length > 3) problems.push(`more than 3 placeholders in "${format}"`);
    for (const p of placeholders) if (!columns.has(p)) problems.push(`placeholder {{${p}}} is not a result column`);
  }
  for (const technique of t.relevantTechniques ?? []) {
    const [parent, sub] = technique.split(".");
    const known = ATTACK[parent!];
    if (!known || (sub !== undefined && !(sub in known.subTechniques))) problems.push(`unknown ATT&CK technique ${technique}`);
    else if (!known.tactics.some((tactic) => t.tactics.includes(tactic))) problems.push(`${technique} maps to none of the rule's tactics (it belongs to ${known.tactics.join(", ")})`);
  }
  for (const atlas of t.description.match(/AML\.T\d{4}(\.\d{3})?/g) ?? []) if (!(atlas in mitre.atlas)) problems.push(`unknown ATLAS technique ${atlas}`);
  for (const type of eventTypeLiterals(t.query, KNOWN_EVENT_TYPES)) if (!KNOWN_EVENT_TYPES.has(type)) problems.push(`event type ${type} is not in OpenAI's AuditLogEventType`);
  problems.push(...specProblems(t.query, [...columns]));
  // Queries read the parser aliases (so they work on Microsoft's solution too), never the raw tables.
  for (const table of Object.keys(WORKSPACE_TABLES)) if (new RegExp(`\\b${table}\\b`).test(t.query)) problems.push(`reads ${table} directly instead of its parser`);
  const read = ALIASES.filter((a) => new RegExp(`\\b${a}\\b`).test(t.query));
  const declared = t.requiredDataConnectors.flatMap((c) => c.dataTypes);
  if (read.length === 0) problems.push("reads none of the parsers");
  if ([...read].sort().join() !== [...declared].sort().join()) problems.push(`requiredDataConnectors lists ${declared.join(", ")} but the query reads ${read.join(", ")}`);
  return problems;
}

describe("content folders", () => {
  it("hold one kind each, YAML or JSON only, in ASCII", () => {
    assert.deepEqual(fs.readdirSync(CONTENT).sort(), ["AnalyticRules", "HuntingQueries", "Parsers", "Workbooks"]);
    for (const kind of ["AnalyticRules", "HuntingQueries", "Parsers"]) assert.deepEqual(contentFiles(kind).filter((f) => !f.endsWith(".yaml")), [], kind);
    assert.deepEqual(contentFiles("Workbooks").filter((f) => !f.endsWith(".json")), []);
    const nonAscii = ["AnalyticRules", "HuntingQueries", "Parsers", "Workbooks"].flatMap((kind) => contentFiles(kind).map((f) => `content/${kind}/${f}`))
      .filter((f) => /[^\u0000-\u007F]/.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
    assert.deepEqual(nonAscii, []);
  });
  it("give every template a unique id and name", () => {
    const all = [...rules, ...hunting, ...parsers] as Array<ContentFile<{ id: string; name?: string; FunctionName?: string }>>;
    const dupes = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
    assert.deepEqual(dupes(all.map((f) => f.doc.id)), []);
    assert.deepEqual(dupes(all.map((f) => f.doc.name ?? f.doc.FunctionName!)), []);
  });
  it("ship at least 12 analytic rules and 8 hunting queries", () => {
    assert.ok(rules.length >= 12 && hunting.length >= 8, `${rules.length} rules, ${hunting.length} hunting queries`);
  });
});

describe("analytic rules", () => {
  for (const file of rules) {
    it(`${file.name} matches Sentinel's scheduled-rule schema`, () => assert.deepEqual(errorsOf(validateRule, file.doc), []));
    it(`${file.name}: query analyses cleanly and returns every mapped column; techniques, tactics and event types exist`, () => assert.deepEqual(templateProblems(file), []));
    it(`${file.name}: period and frequency are allowed together`, () => {
      const frequency = minutes(file.doc.queryFrequency!), period = minutes(file.doc.queryPeriod!);
      assert.ok(frequency >= 5 && period <= 14 * 1_440 && period >= frequency, `${file.doc.queryFrequency} / ${file.doc.queryPeriod}`);
      if (period >= 2 * 1_440) assert.ok(frequency >= 60, "a period of 2 days or more needs a frequency of 1 hour or more");
    });
  }
});

describe("hunting queries", () => {
  for (const file of hunting) {
    it(`${file.name} matches the hunting-query schema`, () => assert.deepEqual(errorsOf(validateHunting, file.doc), []));
    it(`${file.name}: query analyses cleanly and returns every mapped column`, () => assert.deepEqual(templateProblems(file), []));
  }
});

describe("the checks catch broken content", () => {
  const [sample] = rules;
  it("the schema rejects a bad id, severity, tactic, threshold, entity identifier and custom detail", () => {
    const broken = { ...sample!.doc, id: "not-a-guid", severity: "Critical", tactics: ["Persistance"], triggerThreshold: 10_001,
      entityMappings: [{ entityType: "IP", fieldMappings: [{ identifier: "FullName", columnName: "ActorIpAddress" }] }], customDetails: { "bad key": "x" } };
    const paths = errorsOf(validateRule, broken).map((e) => e.split(" ")[0]);
    for (const p of ["/id", "/severity", "/tactics/0", "/triggerThreshold", "/entityMappings/0/fieldMappings/0/identifier", "/customDetails"]) assert.ok(paths.includes(p), `${p} in ${paths.join(", ")}`);
  });
  it("the cross-field checks catch a missing column, a technique of another tactic, an unknown event type and a raw table", () => {
    const doc = { ...sample!.doc, tactics: ["Impact"], relevantTechniques: ["T1098.001", "T9999"], query: `OpenAIAuditLogs_CL | where EventType == "api_key.minted" | project Nope = 1`,
      customDetails: { Missing: "NotThere" } };
    const problems = templateProblems({ ...sample!, doc }).map((p) => p.split(" ").slice(0, 2).join(" "));
    for (const p of ["entity Account.FullName", "custom detail", "T1098.001 maps", "unknown ATT&CK", "event type", "reads OpenAIAuditLogs_CL", "reads none"]) assert.ok(problems.some((x) => x.startsWith(p)), `${p} in ${problems.join(" | ")}`);
  });
  it("the spec checks catch a payload field the named types lack, a tenant type without Scope and an id prefix", () => {
    // The shapes the admin-key rule once had: EventDetails.data.object is in no api_key payload, key ids carry no kind.
    const query = `OpenAIAuditLogs | where EventType in ("tenant.admin_api_key.created", "api_key.created") and (tostring(EventDetails.data.object) has "admin" or TargetId startswith "key_admin") | project EventType, TargetId, Scopes = EventDetails.data.scopes`;
    assert.deepEqual(specProblems(query, ["EventType", "TargetId", "Scopes"]), [
      "reads EventDetails.data.object, which no event type it names has in the spec (tenant.admin_api_key.created, api_key.created)",
      "names tenant-scope types (tenant.admin_api_key.created) but does not return Scope",
      "reads a prefix or pattern into TargetId: the spec's ids are opaque",
    ]);
    assert.deepEqual(specProblems(`OpenAIAuditLogs | where EventType == "tenant.sso_connection.updated" | project Scope, Id = EventDetails.id`, ["Scope", "Id"]),
      ["reads EventDetails.id, which no event type it names has in the spec (tenant.sso_connection.updated)"]);
  });
});

// Columns of ASimAgentEventLogs (learn.microsoft.com/azure/azure-monitor/reference/tables/asimagenteventlogs), those the parser fills.
const ASIM_AGENT_EVENT: Record<string, string> = {
  TimeGenerated: "datetime", EventUid: "string", EventOriginalUid: "string", EventResponseId: "string", EventSchema: "string", EventSchemaVersion: "string", EventCount: "int",
  EventVendor: "string", EventProduct: "string", EventType: "string", EventOriginalType: "string", EventStartTime: "datetime", EventEndTime: "datetime", EventResult: "string",
  EventRequestId: "string", EventRequestTemperature: "real", EventRequestTopP: "real", EventRequestPresencePenalty: "real", EventRequestFrequencyPenalty: "real",
  EventRequestSeed: "long", EventOriginalResultDetails: "string", EventFinishReasons: "dynamic", ToolName: "string", ModelProviderName: "string", ModelName: "string",
  InputTokensUsed: "long", OutputTokensUsed: "long", ActorUsername: "string", ActorUsernameType: "string", AdditionalFields: "dynamic",
};

describe("parsers", () => {
  it("define the two aliases Microsoft's solution defines, the health table's, an ASIM AgentEvent one, the ChatGPT tables' and the usage and costs ones", () => {
    assert.deepEqual(ALIASES.sort(), ["ASimAgentEventOpenAIAPIPlatform", "ChatGPTComplianceLogs", "ChatGPTCosts", "OpenAIAuditLogs", "OpenAIChatCompletions", "OpenAIConnectorHealth", "OpenAICosts", "OpenAIUsage"]);
  });
  it("the ChatGPT parsers return their tables' columns, the costs one a row per event id", () => {
    const columns = (query: string) => Object.keys(analyse(query).resultColumns).sort();
    assert.deepEqual([columns("ChatGPTComplianceLogs"), columns("ChatGPTCosts")],
      [WORKSPACE_TABLES.ChatGPTComplianceLogs_CL!.map((c) => c.name).sort(), WORKSPACE_TABLES.ChatGPTCosts_CL!.map((c) => c.name).sort()]);
    assert.match(parsers.find((p) => p.doc.FunctionAlias === "ChatGPTCosts")!.doc.FunctionQuery, /summarize arg_min\(LogFileEndTime, \*\) by EventId/);
  });
  for (const file of parsers) {
    it(`${file.name} matches the parser schema and its function analyses cleanly`, () => {
      assert.deepEqual(errorsOf(validateParser, file.doc), []);
      assert.equal(file.doc.FunctionName, file.doc.FunctionAlias);
      // As Sentinel's CI does: parameters become let statements before the body.
      const lets = (file.doc.FunctionParams ?? []).map((p) => `let ${p.Name} = ${String(p.Default)};\n`).join("");
      const others = parserDefinitions(parsers.map((p) => p.doc).filter((p) => p !== file.doc && !new RegExp(`\\b${file.doc.FunctionAlias}\\b`).test(p.FunctionQuery)));
      assert.deepEqual(kqlAnalysis(others + lets + file.doc.FunctionQuery, WORKSPACE_TABLES).errors, []);
    });
  }
  it("the ASIM parser returns ASimAgentEventLogs columns with their types and the values Microsoft's 3.1 solution writes", () => {
    const { errors, resultColumns } = analyse("ASimAgentEventOpenAIAPIPlatform()");
    assert.deepEqual([errors, resultColumns], [[], ASIM_AGENT_EVENT]);
    const query = parsers.find((p) => p.doc.FunctionAlias === "ASimAgentEventOpenAIAPIPlatform")!.doc.FunctionQuery;
    for (const constant of ["EventVendor = 'OpenAI'", "EventProduct = 'OpenAI API Platform'", "EventType = 'ChatCompletion'", "EventSchema = 'AgentEvent'", "ModelProviderName = 'OpenAI'"]) assert.ok(query.includes(constant), constant);
  });
  // Queries in the shape Microsoft's 3.1 content uses on ASimAgentEventLogs, pointed at our function.
  const asimQueries = [
    "ASimAgentEventOpenAIAPIPlatform() | where EventVendor == 'OpenAI' and EventProduct == 'OpenAI API Platform' and EventType == 'ChatCompletion' | summarize sum(InputTokensUsed), sum(OutputTokensUsed) by ModelName",
    "ASimAgentEventOpenAIAPIPlatform(starttime=ago(1d), username_has_any=dynamic(['end-user-1'])) | summarize count() by ActorUsername, bin(TimeGenerated, 1h)",
    "ASimAgentEventOpenAIAPIPlatform(pack=true) | extend tier = tostring(AdditionalFields.service_tier) | mv-expand EventFinishReasons | summarize count() by tier, tostring(EventFinishReasons)",
  ];
  for (const query of asimQueries) it(`a 3.1-style query runs on the ASIM function: ${query.slice(31, 100)}`, () => assert.deepEqual(analyse(query).errors, []));
});

interface WorkbookItem { type: number; name: string; content: { query?: string; version?: string; items?: WorkbookItem[]; title?: string; visualization?: string } }

describe("workbook", () => {
  const text = fs.readFileSync(path.join(CONTENT, "Workbooks", "OpenAIConnector.json"), "utf8");
  const workbook = JSON.parse(text) as { version: string; fromTemplateId: string; items: WorkbookItem[] };
  const flatten = (items: WorkbookItem[]): WorkbookItem[] => items.flatMap((i) => [i, ...flatten(i.content.items ?? [])]);
  const queries = flatten(workbook.items).filter((i) => i.type === 3);
  // Workbook parameters as Azure Monitor substitutes them before running a query.
  const substitute = (query: string) => query.replace(/\{TimeRange:grain\}/g, "1h").replace(/\{TimeRange:start\}/g, "datetime(2026-11-01)").replace(/\{TimeRange:end\}/g, "datetime(2026-11-08)");

  it("is a Sentinel workbook template without resource ids", () => {
    assert.deepEqual([workbook.version, workbook.fromTemplateId], ["Notebook/1.0", "sentinel-OpenAIConnectorWorkbook"]);
    assert.doesNotMatch(text, /subscriptions\/[0-9a-f-]{36}/i);
  });
  it("has sections for collector health, activity by type, actors and countries, sign-ins, key and role changes, token usage, and usage and costs", () => {
    const groups = workbook.items.filter((i) => i.type === 12).map((i) => i.content.title);
    assert.deepEqual(groups, ["Collector health and lag", "Audit activity", "Sign-ins", "API key and role changes", "Token usage", "Usage and costs"]);
    assert.ok(queries.length >= 10, `${queries.length} queries`);
  });
  it("the collector grid leaves out deleted collectors and shows what each reads (Scope); key and role changes show the scope", () => {
    const query = (name: string) => queries.find((q) => q.name === name)!.content.query!;
    assert.match(query("health-latest"), /arg_max\(TimeGenerated, \*\) by CollectorId\n\| where State != "deleted"\n\| project [^|]*\bScope\b/);
    assert.deepEqual(Object.keys(analyse(substitute(query("key-role-table"))).resultColumns).slice(0, 4), ["TimeGenerated", "EventType", "Scope", "TargetId"]);
  });
  for (const item of queries) {
    it(`item ${item.name} analyses cleanly and reads a parser`, () => {
      assert.deepEqual(analyse(substitute(item.content.query!)).errors, []);
      assert.ok(ALIASES.some((a) => item.content.query!.startsWith(a)), item.content.query);
      assert.equal(item.content.version, "KqlItem/1.0");
    });
  }
});
