/**
 * Validation of management API input. Zod gives precise, field-level errors for the body
 * (unknown fields rejected, types and ranges checked) with little code; each error names the
 * field and what is wrong with it, and every problem of a body is reported at once.
 */
import { z } from "zod";
import { checkComplianceFields, complianceOptionsSchema } from "./complianceOptions";
import { DATA_TYPE_NAMES, isDataType } from "./dataTypes";
import { dateTimeProblem, startTimeRangeProblem } from "./startTime";
import { checkUsageFields, usageBodyFields } from "../usage/definitionInput";

/** Collector ids: 1–64 of a-z, 0-9, '-'. */
export const COLLECTOR_ID_PATTERN = /^[a-z0-9-]{1,64}$/;
/** Default and minimum poll interval, seconds. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 300;
export const MIN_POLL_INTERVAL_SECONDS = 60;
/** Key Vault secret names: 1–127 of letters, digits, '-'. */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

const isoDateTime = z.string().superRefine((text, ctx) => {
  const problem = dateTimeProblem(text);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * Characters a display name must not hold: C0 and C1 controls and DEL (Unicode category Cc: NUL,
 * BEL, line breaks, escapes), line and paragraph separators (Zl, Zp), and the bidirectional
 * formatting characters of Unicode UAX #9 §2 (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069),
 * which reorder the text around them (a U+202E shows the rest of the name reversed in the grid and
 * in the ConnectorName column).
 */
const UNSAFE_NAME_CHARACTER = /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** The position and code point of the first unsafe character of `text`, in words; undefined when there is none. */
export function unsafeCharacterProblem(text: string): string | undefined {
  const match = UNSAFE_NAME_CHARACTER.exec(text);
  if (!match) return undefined;
  const codePoint = `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  return `must not contain control or bidirectional-formatting characters (${codePoint} at character ${[...text.slice(0, match.index)].length + 1})`;
}

const friendlyName = z.string().trim().min(1, "must not be empty").max(128, "must be at most 128 characters").superRefine((text, ctx) => {
  const problem = unsafeCharacterProblem(text);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** The fields of a collector body, before the checks across fields. */
const collectorBodyShape = z.strictObject({
  dataType: z.enum(DATA_TYPE_NAMES),
  friendlyName,
  apiKeySecretName: z.string().regex(SECRET_NAME, "must be a Key Vault secret name (1-127 letters, digits and '-'), not a key")
    // A pasted key would otherwise be stored in the definition (entity state, history, logs).
    .refine((name) => !/^sk-/i.test(name), "looks like an OpenAI key (sk-…): give the name of the Key Vault secret that holds the key, never the key"),
  pollIntervalSeconds: z.number().int("must be a whole number").min(MIN_POLL_INTERVAL_SECONDS, `must be at least ${MIN_POLL_INTERVAL_SECONDS}`).max(86_400, "must be at most 86400").optional(),
  startTime: isoDateTime.optional(),
  /** complianceLogs only (src/collectors/complianceOptions.ts). */
  compliance: complianceOptionsSchema.optional(),
  /** usage and costs only (src/usage/definitionInput.ts). */
  ...usageBodyFields,
});

/** The checks across fields that depend on the data type (each data type's own fields), every problem at once. */
function checkDataTypeFields(body: Pick<z.infer<typeof collectorBodyShape>, "dataType" | "compliance" | "families" | "bucketWidth">, ctx: z.RefinementCtx): void {
  checkComplianceFields(body, ctx);
  checkUsageFields(body, ctx);
}

/** Body of PUT /api/collectors/{id}. */
export const collectorBodySchema = collectorBodyShape.superRefine(checkDataTypeFields);

/**
 * Body of POST /api/connection-tests: a collector body whose friendlyName may be missing (the form
 * sends what it has; only dataType and apiKeySecretName are used).
 */
export const connectionTestBodySchema = collectorBodyShape.partial({ friendlyName: true }).superRefine(checkDataTypeFields);

/** Body of POST /api/collectors/{id}/reset. */
export const resetBodySchema = z.strictObject({ startTime: isoDateTime.optional() });

/** A validated collector body. */
export type CollectorBody = z.infer<typeof collectorBodySchema>;

/** A validation failure naming the field. */
export interface InputProblem {
  readonly field: string;
  readonly message: string;
}

/** The result of {@link validate}: the data, or every problem (`problem` is the first, `problems` all, in field order). */
export type Validated<T> = { ok: true; value: T } | { ok: false; problem: InputProblem; problems: readonly InputProblem[] };

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `the ${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}

const EXPECTED: Readonly<Record<string, string>> = { string: "a string", number: "a number", int: "a whole number", object: "a JSON object", array: "an array", boolean: "true or false" };

/**
 * Zod's issue in this API's words (a phrase following the field name). Zod 4 leaves the input out
 * of its issues unless asked; this error map receives it, so a present field of the wrong type is
 * never reported as missing.
 */
function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "is required";
    if (typeof issue.input === "number" && !Number.isFinite(issue.input)) return "must be a finite number";
    const expected = EXPECTED[issue.expected] ?? `of type ${issue.expected}`;
    return `must be ${expected}, not ${describeValue(issue.input)}`;
  }
  if (issue.code === "invalid_value") {
    if (issue.input === undefined) return "is required";
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, not ${describeValue(issue.input)}`;
  }
  return undefined;
}

function toProblems(issues: readonly z.core.$ZodIssue[]): InputProblem[] {
  return issues.flatMap((issue): InputProblem[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join("."), message: `unknown field: ${[...issue.path, key].join(".")}` }));
    }
    const field = issue.path.join(".") || "body";
    return [{ field, message: `${field} ${issue.message}` }];
  });
}

/**
 * Parses `value` with `schema`. Returns the data, or every problem with its field path, one per
 * field: zod's, then those of `extra` (checks zod cannot make, such as a start time's range, which
 * needs the clock) for fields zod found nothing wrong with.
 */
export function validate<T>(schema: z.ZodType<T>, value: unknown, extra: readonly InputProblem[] = []): Validated<T> {
  const result = schema.safeParse(value, { error: issueMessage });
  // One problem per field: its first (a secret name that fails two rules is reported once).
  const problems: InputProblem[] = [];
  for (const p of [...(result.success ? [] : toProblems(result.error.issues)), ...extra]) if (!problems.some((q) => q.field === p.field)) problems.push(p);
  if (problems.length === 0 && result.success) return { ok: true, value: result.data };
  return { ok: false, problem: problems[0]!, problems };
}

/**
 * The range problem of the `startTime` of a raw request body (future, or before the data type's
 * floor; src/collectors/startTime.ts), for {@link validate}'s `extra`. Nothing when the body has no
 * well-formed startTime (zod reports a malformed one). `dataType` defaults to the body's own.
 */
export function startTimeProblems(body: unknown, nowMs: number, dataType?: unknown, field = "startTime"): InputProblem[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return [];
  const raw = (body as Record<string, unknown>).startTime;
  if (typeof raw !== "string" || dateTimeProblem(raw) !== undefined) return [];
  const type = dataType ?? (body as Record<string, unknown>).dataType;
  const problem = startTimeRangeProblem(raw, isDataType(type) ? type : undefined, nowMs);
  return problem ? [{ field, message: `${field} ${problem}` }] : [];
}
