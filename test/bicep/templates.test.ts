/**
 * Checks of the Bicep templates that run without the Bicep CLI: syntax, the schema data they load,
 * role definition ids, app settings versus what the code reads, and every KQL text analysed by
 * Kusto against the table schemas.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, TABLES } from "../../src/schema/tables";
import { bicepSyntaxErrors } from "./bicepSyntax";
import { kqlErrors } from "./kusto";

const ROOT = path.resolve(__dirname, "../../..");
const BICEP = path.join(ROOT, "bicep");
const read = (file: string) => fs.readFileSync(file, "utf8");
const bicepFiles = [path.join(BICEP, "main.bicep"), ...fs.readdirSync(path.join(BICEP, "modules")).map((f) => path.join(BICEP, "modules", f))];

describe("Bicep syntax", () => {
  for (const file of bicepFiles) {
    it(`${path.relative(ROOT, file)} parses with no error node`, async () => assert.deepEqual(await bicepSyntaxErrors(read(file)), []));
  }
  it("the gate catches a broken template", async () => {
    const broken = "param x string\nresource r 'Microsoft.Web/sites@2024-04-01' = {\n  name: x\n  properties: {\n";
    assert.ok((await bicepSyntaxErrors(broken)).length > 0);
    assert.ok((await bicepSyntaxErrors("parm x string\n")).length > 0);
  });
});

describe("tables and the DCR come from the schema data", () => {
  const loads = (source: string) => [...source.matchAll(/loadJsonContent\('([^']+)'\)/g)].map((m) => m[1]!);
  for (const module of ["tables.bicep", "dataCollection.bicep"]) {
    it(`${module} loads exactly the three schema files, which exist`, () => {
      const file = path.join(BICEP, "modules", module);
      const resolved = loads(read(file)).map((p) => path.relative(ROOT, path.resolve(path.dirname(file), p)));
      assert.deepEqual(resolved, ["src/schema/openai-audit-logs.table.json", "src/schema/openai-chat-completions.table.json", "src/schema/openai-connector-health.table.json"]);
      resolved.forEach((p) => assert.ok(fs.existsSync(path.join(ROOT, p)), p));
    });
    it(`${module} hard-codes no column, table or stream name`, () => {
      const source = read(path.join(BICEP, "modules", module));
      const literals = TABLES.flatMap((t) => [t.tableName, t.streamName, ...t.columns.map((c) => c.name)]).filter((name) => new RegExp(`['\\s]${name}['\\s:]`).test(source));
      assert.deepEqual(literals, []);
    });
  }
  it("maps every column type the schema uses to a table column type", () => {
    const block = /var tableColumnType = \{([^}]*)\}/.exec(read(path.join(BICEP, "modules", "tables.bicep")))![1]!;
    const mapping = Object.fromEntries([...block.matchAll(/(\w+): '(\w+)'/g)].map((m) => [m[1]!, m[2]!]));
    const used = [...new Set(TABLES.flatMap((t) => t.columns.map((c) => c.type)))].sort();
    assert.deepEqual(used.map((t) => [t, mapping[t]]), used.map((t) => [t, t === "datetime" ? "dateTime" : t]));
  });
  it("declares each stream with the schema's columns and sends it to the table of the same name through the transform", () => {
    const dcr = read(path.join(BICEP, "modules", "dataCollection.bicep"));
    assert.match(dcr, /streamDeclarations: toObject\(tables, table => table\.streamName, table => \{\s*columns: map\(table\.columns, column => \{\s*name: column\.name\s*type: column\.type/);
    assert.match(dcr, /streams: \[\s*table\.streamName\s*\][\s\S]*transformKql: transformKql\s*outputStream: table\.streamName/);
    for (const t of TABLES) assert.equal(t.streamName, `Custom-${t.tableName}`);
  });
});

describe("Sentinel content is loaded from content/, never restated", () => {
  const module = path.join(BICEP, "modules", "sentinelContent.bicep");
  const loaded = [...read(module).matchAll(/load(?:Yaml|Json)Content\('([^']+)'\)/g)].map((m) => path.relative(ROOT, path.resolve(path.dirname(module), m[1]!)));
  for (const kind of ["AnalyticRules", "HuntingQueries", "Parsers", "Workbooks"]) {
    it(`sentinelContent.bicep loads every file of content/${kind} and nothing else from it`, () => {
      const files = fs.readdirSync(path.join(ROOT, "content", kind)).sort().map((f) => `content/${kind}/${f}`);
      assert.deepEqual(loaded.filter((p) => p.startsWith(`content/${kind}/`)), files);
    });
  }
  it("no template holds a query", () => {
    const queryLike = bicepFiles.flatMap((f) => [...read(f).matchAll(/'([^'\n]*)'/g)].map((m) => m[1]!)).filter((text) => /\|\s*(where|extend|summarize|project)\b/.test(text));
    assert.deepEqual(queryLike, []);
  });
  it("main.bicep switches each part with a parameter", () => {
    const main = read(path.join(BICEP, "main.bicep"));
    for (const p of ["deployParsers", "deployAnalyticRules", "deployHuntingQueries", "deployWorkbook", "deployHealthTable"]) assert.match(main, new RegExp(`param ${p} bool = `), p);
    const content = read(module);
    for (const [p, resource] of [["deployAnalyticRules", "rules"], ["deployHuntingQueries", "huntingSearches"], ["deployWorkbook", "workbook"]]) {
      assert.match(content, new RegExp(`resource ${resource} '[^']+' = (\\[for \\w+ in \\w+: )?if \\(${p}\\)`), resource);
    }
  });
});

describe("role assignments", () => {
  const DOCUMENTED: Record<string, string> = {
    monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
    keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
    storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    storageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  };
  it("uses the documented built-in role definition ids", () => {
    const block = /var roleIds = \{([^}]*)\}/.exec(read(path.join(BICEP, "modules", "roles.bicep")))![1]!;
    assert.deepEqual(Object.fromEntries([...block.matchAll(/(\w+): '([0-9a-f-]{36})'/g)].map((m) => [m[1]!, m[2]!])), DOCUMENTED);
  });
  it("grants each role where the app needs it, by name, with no other GUID in the templates", () => {
    const all = bicepFiles.filter((f) => !f.endsWith("roles.bicep")).map(read).join("\n");
    assert.deepEqual(all.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g), null);
    const granted = (module: string) => [...read(path.join(BICEP, "modules", module)).matchAll(/roleIds\.(\w+)/g)].map((m) => m[1]!).filter((v, i, a) => a.indexOf(v) === i);
    assert.deepEqual({ dcr: granted("dataCollection.bicep"), vault: granted("keyVault.bicep"), storage: granted("storage.bicep"), appInsights: granted("monitoring.bicep") },
      { dcr: ["monitoringMetricsPublisher"], vault: ["keyVaultSecretsUser"], storage: ["storageBlobDataOwner", "storageQueueDataContributor", "storageTableDataContributor"], appInsights: ["monitoringMetricsPublisher"] });
  });
});

describe("app settings", () => {
  it("sets every setting the deployed code reads", () => {
    const files = ["src/config.ts", "src/collectors/settings.ts", "src/functions/production.ts"].map((f) => read(path.join(ROOT, f)));
    const read_ = new Set<string>();
    for (const source of files) {
      for (const m of source.matchAll(/\b(?:value|required|integer|bounded|flag)\(env, "([A-Z][A-Z0-9_]+)"/g)) read_.add(m[1]!);
      for (const m of source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) read_.add(m[1]!);
    }
    for (const m of read(path.join(ROOT, "host.json")).matchAll(/%([A-Z][A-Z0-9_]+)%/g)) read_.add(m[1]!);
    const appSettings = /name: 'appsettings'\s*properties: \{([\s\S]*?)\n  \}/.exec(read(path.join(BICEP, "modules", "functionApp.bicep")))![1]!;
    const set = new Set([...appSettings.matchAll(/^\s*(\w+):/gm)].map((m) => m[1]!));
    assert.ok(read_.size >= 10, [...read_].join(", "));
    assert.deepEqual([...read_].filter((s) => !set.has(s)), []);
    for (const identitySetting of ["AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]) assert.ok(set.has(identitySetting), identitySetting);
  });
});

describe("KQL", () => {
  const streamOf = (t: typeof AUDIT_LOGS_TABLE) => ({ source: t.columns });
  const workspace = { OpenAIAuditLogs_CL: AUDIT_LOGS_TABLE.columns, OpenAIChatCompletions_CL: CHAT_COMPLETIONS_TABLE.columns };
  it("the DCR transform analyses cleanly against each stream", () => {
    const transform = read(path.join(BICEP, "kql", "transform.kql")).trim();
    assert.deepEqual([kqlErrors(transform, streamOf(AUDIT_LOGS_TABLE)), kqlErrors(transform, streamOf(CHAT_COMPLETIONS_TABLE))], [[], []]);
  });
  // Queries Microsoft's OpenAI solution ships (3.0.0 and 3.1.x), and its dedup pattern, against our tables.
  const compat = [
    "OpenAIAuditLogs_CL | take 10",
    "OpenAIAuditLogs_CL | summarize count() by EventType, ActorType",
    "OpenAIAuditLogs_CL | where EventType has_any ('api_key.created','api_key.updated','api_key.deleted')",
    "OpenAIAuditLogs_CL | extend ip = tostring(ActorSession.ip_address), email = tostring(ActorSession.user.email) | project TimeGenerated, Id, EventType, ip, email, EventDetails, ConnectorName",
    "OpenAIChatCompletions_CL | where Usage.total_tokens > 1000",
    "OpenAIChatCompletions_CL | summarize TotalInputTokens = sum(InputTokensUsed), TotalOutputTokens = sum(OutputTokensUsed) by ModelName",
    "OpenAIChatCompletions_CL | summarize arg_max(TimeGenerated, *) by Id",
    "union OpenAIAuditLogs_CL, OpenAIChatCompletions_CL | where TimeGenerated > ago(1h) | take 1",
  ];
  for (const query of compat) it(`Microsoft's query runs on our tables: ${query.slice(0, 70)}`, () => assert.deepEqual(kqlErrors(query, workspace), []));
  it("Kusto reports a query that names a missing column", () => {
    assert.match(kqlErrors("OpenAIAuditLogs_CL | project NoSuchColumn", workspace).join(), /KS142/);
  });
});
