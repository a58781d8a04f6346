/**
 * KQL the deployment relies on besides the Sentinel content (which test/content checks), analysed
 * by Kusto's own language service (Kusto.Language) against the table schemas: the DCR transform,
 * and the queries Microsoft's OpenAI solution ships, on our tables and through the deployed
 * parsers (content/Parsers), which keep that solution's aliases.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE } from "../../src/schema/tables";
import { analyse } from "../content/contentFiles";
import { kqlErrors } from "./kusto";

const KQL = path.resolve(__dirname, "../../../bicep/kql");
const TABLES = { OpenAIAuditLogs_CL: AUDIT_LOGS_TABLE.columns, OpenAIChatCompletions_CL: CHAT_COMPLETIONS_TABLE.columns };

describe("KQL", () => {
  it("the DCR transform analyses cleanly against each stream", () => {
    const transform = fs.readFileSync(path.join(KQL, "transform.kql"), "utf8").trim();
    assert.deepEqual([kqlErrors(transform, { source: AUDIT_LOGS_TABLE.columns }), kqlErrors(transform, { source: CHAT_COMPLETIONS_TABLE.columns })], [[], []]);
  });

  // Queries of Microsoft's OpenAI solution (connector page 3.0.0 / 3.1.x) and its dedup pattern, on our tables.
  const onTables = [
    "OpenAIAuditLogs_CL | take 10",
    "OpenAIAuditLogs_CL | summarize count() by EventType, ActorType",
    "OpenAIAuditLogs_CL | where EventType has_any ('api_key.created','api_key.updated','api_key.deleted')",
    "OpenAIAuditLogs_CL | extend ip = tostring(ActorSession.ip_address), email = tostring(ActorSession.user.email) | project TimeGenerated, Id, EventType, ip, email, EventDetails, ConnectorName",
    "OpenAIChatCompletions_CL | where Usage.total_tokens > 1000",
    "OpenAIChatCompletions_CL | summarize TotalInputTokens = sum(InputTokensUsed), TotalOutputTokens = sum(OutputTokensUsed) by ModelName",
    "OpenAIChatCompletions_CL | summarize arg_max(TimeGenerated, *) by Id",
    "union OpenAIAuditLogs_CL, OpenAIChatCompletions_CL | where TimeGenerated > ago(1h) | take 1",
  ];
  for (const query of onTables) it(`Microsoft's query runs on our tables: ${query.slice(0, 70)}`, () => assert.deepEqual(kqlErrors(query, TABLES), []));

  // The same solution's connector-page queries through the aliases, as that page runs them.
  const onAliases = [
    "OpenAIAuditLogs | take 10",
    "OpenAIAuditLogs | summarize count() by EventType, ActorType",
    "OpenAIAuditLogs | where EventType has_any ('api_key.created','api_key.updated','api_key.deleted')",
    "OpenAIChatCompletions | take 10",
    "OpenAIChatCompletions | where Usage.total_tokens > 1000",
    "OpenAIChatCompletions | summarize TotalInputTokens = sum(InputTokensUsed), TotalOutputTokens = sum(OutputTokensUsed) by ModelName",
    "union OpenAIAuditLogs, OpenAIChatCompletions | where TimeGenerated > ago(1h) | take 1",
  ];
  for (const query of onAliases) it(`Microsoft's query runs through our parsers: ${query.slice(0, 70)}`, () => assert.deepEqual(analyse(query).errors, []));

  it("Kusto reports a query that names a missing column, on a table and through a parser", () => {
    assert.match(kqlErrors("OpenAIAuditLogs_CL | project NoSuchColumn", TABLES).join(), /KS142/);
    assert.match(analyse("OpenAIChatCompletions | project NoSuchColumn").errors.join(), /KS142/);
  });
});
