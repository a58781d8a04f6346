/**
 * Regenerates src/schema/openai-audit-event-types.json from an OpenAI OpenAPI document:
 *   node dist/scripts/spec/auditEventTypes.js <path to openai-openapi.yaml>
 * Run it when a new spec copy arrives; `git diff` then shows which event types changed.
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { eventTypesFromSpec, formatTable } from "../../src/audit/eventTypesFromSpec";

const source = process.argv[2];
if (!source) {
  console.error("usage: node dist/scripts/spec/auditEventTypes.js <openai-openapi.yaml>");
  process.exit(2);
}
const table = eventTypesFromSpec(parse(fs.readFileSync(source, "utf8"), { maxAliasCount: -1 }) as Record<string, unknown>);
const target = path.join(__dirname, "..", "..", "..", "src", "schema", "openai-audit-event-types.json");
fs.writeFileSync(target, formatTable(table));
console.log(`${table.types.length} event types (${table.types.filter((t) => t.scope === "tenant").length} tenant-scoped) from spec ${table.specVersion} → ${target}`);
