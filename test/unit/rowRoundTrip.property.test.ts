/**
 * Issue #10 part 5 as a property (fast-check): records of any shape — known fields with odd
 * values, new fields, 64-bit integers anywhere, strings over the field limit — go from the wire
 * text through the response parser and the row mapper to the JSON the writer sends, and back as
 * the service reads it. Every top-level field of the record is then found in the row exactly once:
 * either its named column(s) give it back, or AdditionalFields holds it; values equal after JSON
 * normalisation, except cut strings, which must carry the marker with the original length.
 * The inverse of each column is written here, independently of the mappers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isRawJsonNumber, parseJsonExact, stringifyExact } from "../../src/json/exactJson";
import { parseListPage } from "../../src/openai/parse";
import type { AuditLogEvent, ChatCompletion, JsonObject } from "../../src/openai/types";
import { toAuditLogRow } from "../../src/rows/auditLogRow";
import { toChatCompletionRow } from "../../src/rows/chatCompletionRow";
import { AUDIT_LOGS_TABLE, CHAT_COMPLETIONS_TABLE, checkRow } from "../../src/schema/tables";
import { TRUNCATED_STRING } from "../../src/rows/fieldLimits";

const origin = { connectorName: "C", collectorId: "c", collectedAt: "2026-11-25T10:00:00.000Z" };
const BIG = "__test_big_integer__";

// JSON values of any shape, with integers beyond 2^53 (as BigInt, written as bare digits) and now and then a string over 64 KB.
const { value } = fc.letrec<{ value: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    { weight: 4, arbitrary: fc.string() }, { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) }, { weight: 2, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }) },
    { weight: 1, arbitrary: fc.integer({ min: 70_000, max: 120_000 }).map((n) => "é…".repeat(n / 4)) },
  ),
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("leaf"), fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 4 })),
}));
const maybe = (arb: fc.Arbitrary<unknown>) => fc.option(arb, { nil: undefined });

/** The wire text of `record` (BigInts as bare digits). */
function wireText(record: Record<string, unknown>): string {
  const text = JSON.stringify({ object: "list", data: [record], has_more: false }, (_k, v: unknown) => (typeof v === "bigint" ? `${BIG}${v}` : v));
  return text.replace(new RegExp(`"${BIG}(-?\\d+)"`, "g"), "$1");
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** Whether `actual` (from the row) gives back `expected` (from the record): equal JSON, a cut string marked with its original length. */
function matches(expected: unknown, actual: unknown): boolean {
  if (typeof expected === "string" && typeof actual === "string") {
    if (expected === actual) return true;
    const cut = TRUNCATED_STRING.exec(actual);
    return cut !== null && Number(cut[1]) === Buffer.byteLength(expected) && expected.startsWith(actual.slice(0, -cut[0].length));
  }
  if (isRawJsonNumber(expected) || isRawJsonNumber(actual)) return isRawJsonNumber(expected) && isRawJsonNumber(actual) && expected.text === actual.text;
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(e, actual[i]));
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    const a = actual as JsonObject, e = expected as JsonObject;
    return Object.keys(a).length === Object.keys(e).length && Object.keys(e).every((k) => Object.prototype.hasOwnProperty.call(a, k) && matches(e[k], a[k]));
  }
  return expected === actual;
}

const seconds = (iso: unknown) => (typeof iso === "string" ? Date.parse(iso) / 1000 : undefined);
const dropNulls = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null)) : v);

/** Asserts the exactly-once property of `record` (as parsed) against `row` (as the service reads it). */
function assertEveryFieldOnce(record: JsonObject, row: JsonObject, fromColumns: Record<string, unknown>, nullsDroppedIn: ReadonlySet<string>): void {
  const additional = (row.AdditionalFields ?? {}) as JsonObject;
  for (const key of Object.keys(additional)) assert.ok(Object.prototype.hasOwnProperty.call(record, key), `AdditionalFields invents ${key}`);
  for (const [key, source] of Object.entries(record)) {
    const inAdditional = Object.prototype.hasOwnProperty.call(additional, key) && matches(source, additional[key]);
    const column = Object.prototype.hasOwnProperty.call(fromColumns, key) ? fromColumns[key] : undefined;
    // An empty column stands for null (Log Analytics stores them alike).
    const inColumns = Object.prototype.hasOwnProperty.call(fromColumns, key) && (source === null ? column === undefined || column === null : nullsDroppedIn.has(key) ? matches(dropNulls(source), column) : matches(source, column));
    assert.equal(Number(inAdditional) + Number(inColumns), 1, `${key}: ${stringifyExact(source).slice(0, 200)} → columns ${stringifyExact(column ?? null).slice(0, 200)}, AdditionalFields ${Object.prototype.hasOwnProperty.call(additional, key)}`);
  }
}

/** The row as the Logs Ingestion API reads the JSON the writer sends. */
function asSent(row: Record<string, unknown>): JsonObject {
  return parseJsonExact(stringifyExact(row)) as JsonObject;
}

describe("every source field reaches the row exactly once (property)", () => {
  it("for audit log events of any shape", () => {
    const actor = fc.oneof(value, fc.record({ type: maybe(fc.oneof(fc.constantFrom("session", "api_key"), value)), session: maybe(value), api_key: maybe(value) }, { requiredKeys: [] }));
    const event = fc.record({
      id: fc.string({ minLength: 1, maxLength: 12 }), type: fc.oneof(fc.constantFrom("login.succeeded", "api_key.created", "unknown.array", "id"), fc.string({ maxLength: 10 })),
      effective_at: fc.oneof(fc.integer({ min: 0, max: 4_000_000_000 }), fc.double({ min: 0, max: 4e9, noNaN: true }), value.filter((v) => v !== null)),
      object: maybe(fc.constant("organization.audit_log")), actor: maybe(actor), project: maybe(value), payload: maybe(value),
      extra: fc.dictionary(fc.string({ maxLength: 10 }), value, { maxKeys: 3 }),
    });
    fc.assert(fc.property(event, ({ payload, extra, ...known }) => {
      const record = withoutUndefined({ ...extra, ...known, ...(payload !== undefined && typeof known.type === "string" && !Object.prototype.hasOwnProperty.call(known, known.type) ? { [known.type]: payload } : {}) });
      const parsed = parseListPage<AuditLogEvent>(wireText(record), ["type", "effective_at"]).data[0]!;
      const row = asSent(toAuditLogRow(parsed, origin));
      assert.deepEqual(checkRow(AUDIT_LOGS_TABLE, row), []);
      const actorColumns = withoutUndefined({ type: row.ActorType ?? undefined, session: row.ActorSession ?? undefined, api_key: row.ActorApiKey ?? undefined });
      const fromColumns: Record<string, unknown> = {
        id: row.Id, type: row.EventType, effective_at: seconds(row.EffectiveAt), actor: Object.keys(actorColumns).length > 0 ? actorColumns : undefined, project: row.Project,
      };
      if (typeof parsed.type === "string" && !Object.prototype.hasOwnProperty.call(fromColumns, parsed.type)) fromColumns[parsed.type] = row.EventDetails;
      assertEveryFieldOnce(parsed, row, fromColumns, new Set(["actor"]));
    }), { numRuns: 300 });
  });

  it("for stored chat completions of any shape", () => {
    const completion = fc.record({
      id: fc.string({ minLength: 1, maxLength: 12 }), created: fc.oneof(fc.integer({ min: 0, max: 4_000_000_000 }), value.filter((v) => v !== null)),
      object: maybe(fc.oneof(fc.constant("chat.completion"), value)), model: maybe(fc.oneof(fc.constant("gpt-4o"), value)), request_id: maybe(value),
      service_tier: maybe(value), system_fingerprint: maybe(value), choices: maybe(value), usage: maybe(value), metadata: maybe(value), tool_choice: maybe(value),
      tools: maybe(value), temperature: maybe(value), top_p: maybe(value), frequency_penalty: maybe(value), presence_penalty: maybe(value),
      seed: maybe(fc.oneof(fc.constant(4944116822809979520n), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), value)), input_user: maybe(value), response_format: maybe(value),
      extra: fc.dictionary(fc.string({ maxLength: 10 }), value, { maxKeys: 3 }),
    });
    fc.assert(fc.property(completion, ({ extra, ...known }) => {
      const record = withoutUndefined({ ...extra, ...known });
      const parsed = parseListPage<ChatCompletion>(wireText(record), ["created"]).data[0]!;
      const row = asSent(toChatCompletionRow(parsed, origin));
      assert.deepEqual(checkRow(CHAT_COMPLETIONS_TABLE, row), []);
      const fromColumns: Record<string, unknown> = {
        id: row.Id, object: row.ObjectType, created: seconds(row.CreatedAt), model: row.Model, request_id: row.RequestId, service_tier: row.ServiceTier,
        system_fingerprint: row.SystemFingerprint, choices: row.Choices, usage: row.Usage, metadata: row.Metadata, tool_choice: row.ToolChoice, tools: row.Tools,
        temperature: row.Temperature, top_p: row.TopProbability, frequency_penalty: row.FrequencyPenalty, presence_penalty: row.PresencePenalty,
        seed: typeof row.SeedText === "string" ? parseJsonExact(row.SeedText) : undefined, input_user: row.InputUser, response_format: row.ResponseFormat,
      };
      assertEveryFieldOnce(parsed, row, fromColumns, new Set());
      // Seed holds every integer that fits signed 64 bits, with its exact digits.
      const seed = parsed.seed;
      const fits = (isRawJsonNumber(seed) && BigInt(seed.text) >= -(2n ** 63n) && BigInt(seed.text) < 2n ** 63n) || Number.isSafeInteger(seed);
      assert.equal(fits ? stringifyExact(row.Seed) : row.Seed, fits ? stringifyExact(seed) : undefined);
    }), { numRuns: 300 });
  });
});
