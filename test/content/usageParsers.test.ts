/**
 * The OpenAIUsage and OpenAICosts parsers: the newest complete snapshot of each bucket, counted
 * once. Kusto's language service analyses their KQL (it does not run it): they return every column of
 * their table with its type, and their query keeps the steps of the rule the scenario tests compute
 * over accepted rows (test/fakes/snapshotRule.ts). That mirror's behaviour is pinned here on rows
 * made by the real row mapper: a revision supersedes, a partial snapshot never does, the row of an
 * emptied bucket is dropped.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { snapshotRows } from "../../src/rows/usageRow";
import { COSTS_TABLE, USAGE_TABLE, type TableSchema } from "../../src/schema/tables";
import { parserResult } from "../fakes/snapshotRule";
import { analyse, loadYamlFolder, type ParserTemplate } from "./contentFiles";

const parsers = new Map(loadYamlFolder<ParserTemplate>("Parsers").map((f) => [f.doc.FunctionAlias, f.doc.FunctionQuery]));
const KUSTO: Record<string, string> = { string: "string", int: "int", long: "long", real: "real", boolean: "bool", datetime: "datetime", dynamic: "dynamic" };
const columnsOf = (table: TableSchema) => Object.fromEntries(table.columns.map((c) => [c.name, KUSTO[c.type]!]));
const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

describe("usage and costs parsers", () => {
  it("return every column of their table with its type (OpenAIUsage adds TotalTokens)", () => {
    const usage = analyse("OpenAIUsage");
    const costs = analyse("OpenAICosts");
    assert.deepEqual([usage.errors, sorted(usage.resultColumns), costs.errors, sorted(costs.resultColumns)],
      [[], sorted({ ...columnsOf(USAGE_TABLE), TotalTokens: "long" }), [], sorted(columnsOf(COSTS_TABLE))]);
  });

  for (const [alias, keys] of [["OpenAIUsage", "CollectorId, Family, BucketWidth, BucketStart"], ["OpenAICosts", "CollectorId, BucketWidth, BucketStart"]] as const) {
    it(`${alias} keeps the rule's steps: distinct rows per snapshot, complete snapshots only, the newest per bucket, no empty-bucket row, one row per id`, () => {
      const query = parsers.get(alias)!.replace(/\s+/g, " ");
      for (const step of [
        `summarize by ${keys}, CollectedAt, Id, SnapshotResults`,
        `summarize RowsSeen = count(), Expected = max(SnapshotResults) by ${keys}, CollectedAt`,
        "where RowsSeen >= Expected",
        `summarize CollectedAt = max(CollectedAt) by ${keys};`,
        `join kind=leftsemi NewestCompleteSnapshot on ${keys}, CollectedAt`,
        "where SnapshotResults > 0",
        "summarize arg_max(TimeGenerated, *) by CollectorId, Id",
        "extend TimeGenerated = BucketStart",
      ]) assert.ok(query.includes(step), `${alias} lacks: ${step}`);
    });
  }

  it("(the rule) keeps the newest complete snapshot of a bucket: a revision supersedes, a partial one does not, an emptied bucket counts nothing", () => {
    const origin = { collectorId: "org-usage", connectorName: "Org", bucketWidth: "1h" as const, isRevision: false };
    const bucket = (start: number, tokens: number[]) => ({ startTime: start, endTime: start + 3_600, results: tokens.map((t, i) => ({ input_tokens: t, output_tokens: 0, num_model_requests: 1, project_id: `proj_${i}` })) });
    const at = (minute: number) => `2026-11-25T12:${String(minute).padStart(2, "0")}:00.000Z`;
    const H1 = 1_795_600_800, H2 = H1 + 3_600, H3 = H2 + 3_600;
    const rows = [
      ...snapshotRows("embeddings", bucket(H1, [10, 20]), { ...origin, collectedAt: at(0) }),
      ...snapshotRows("embeddings", bucket(H1, [15, 20]), { ...origin, collectedAt: at(5), isRevision: true }),
      ...snapshotRows("embeddings", bucket(H2, [30, 40]), { ...origin, collectedAt: at(0) }),
      // A revision of which only one of two rows arrived (its upload failed half-way): not complete.
      ...snapshotRows("embeddings", bucket(H2, [99, 99]), { ...origin, collectedAt: at(5), isRevision: true }).slice(0, 1),
      ...snapshotRows("embeddings", bucket(H3, [50]), { ...origin, collectedAt: at(0) }),
      ...snapshotRows("embeddings", bucket(H3, []), { ...origin, collectedAt: at(5), isRevision: true }, true),
    ];
    const result = parserResult([...rows, rows[0]!]).map((r) => [r.BucketStart, r.ProjectId, r.InputTokens, r.CollectedAt]);
    const iso = (s: number) => new Date(s * 1000).toISOString();
    assert.deepEqual(result, [
      [iso(H1), "proj_0", 15, at(5)], [iso(H1), "proj_1", 20, at(5)],
      [iso(H2), "proj_0", 30, at(0)], [iso(H2), "proj_1", 40, at(0)],
    ]);
  });
});
