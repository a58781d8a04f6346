/**
 * Validation of management API input. Zod gives precise, field-level errors for the body
 * (unknown fields rejected, types and ranges checked) with little code; each error names the
 * field so the 400 body says exactly what to fix.
 */
import { z } from "zod";
import { DATA_TYPE_NAMES } from "./dataTypes";
import { usageBodyFields, usageOptionsProblem } from "../usage/definitionInput";

/** Collector ids: 1–64 of a-z, 0-9, '-'. */
export const COLLECTOR_ID_PATTERN = /^[a-z0-9-]{1,64}$/;
/** Default and minimum poll interval, seconds. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 300;
export const MIN_POLL_INTERVAL_SECONDS = 60;
/** Key Vault secret names: 1–127 of letters, digits, '-'. */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

const isoDateTime = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
  message: "must be an ISO-8601 date-time with a time zone, e.g. 2026-11-01T00:00:00Z",
});

/** Body of PUT /api/collectors/{id}. */
export const collectorBodySchema = z.strictObject({
  dataType: z.enum(DATA_TYPE_NAMES, { message: `must be one of ${DATA_TYPE_NAMES.map((t) => `"${t}"`).join(", ")}` }),
  friendlyName: z.string().trim().min(1, "must not be empty").max(128, "must be at most 128 characters"),
  apiKeySecretName: z.string().regex(SECRET_NAME, "must be a Key Vault secret name (1-127 letters, digits and '-'), not a key")
    // A pasted key would otherwise be stored in the definition (entity state, history, logs).
    .refine((name) => !/^sk-/i.test(name), "looks like an OpenAI key (sk-…): give the name of the Key Vault secret that holds the key, never the key"),
  pollIntervalSeconds: z.number().int("must be a whole number").min(MIN_POLL_INTERVAL_SECONDS, `must be at least ${MIN_POLL_INTERVAL_SECONDS}`).max(86_400, "must be at most 86400").optional(),
  startTime: isoDateTime.optional(),
  ...usageBodyFields,
});

/**
 * Body of POST /api/connection-tests: a collector body whose friendlyName may be missing (the form
 * sends what it has; only dataType and apiKeySecretName are used).
 */
export const connectionTestBodySchema = collectorBodySchema.partial({ friendlyName: true });

/** Body of POST /api/collectors/{id}/reset. */
export const resetBodySchema = z.strictObject({ startTime: isoDateTime.optional() });

/** A validated collector body. */
export type CollectorBody = z.infer<typeof collectorBodySchema>;

/** A validation failure naming the field. */
export interface InputProblem {
  readonly field: string;
  readonly message: string;
}

/** Parses `value` with `schema`, returning the data or the first problem with its field path. */
export function validate<T>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; problem: InputProblem } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  if (issue.code === "unrecognized_keys") return { ok: false, problem: { field: issue.keys.join(", "), message: `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}` } };
  const field = issue.path.join(".") || "body";
  const message = issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
  return { ok: false, problem: { field, message: `${field} ${message}` } };
}

/** The fields whose validity depends on the data type. */
type DataTypeFields = Pick<CollectorBody, "dataType" | "families" | "bucketWidth">;

/** Checks across fields of a collector body that depend on its data type. */
const DATA_TYPE_CHECKS: ReadonlyArray<(body: DataTypeFields) => InputProblem | undefined> = [usageOptionsProblem];

/** The first problem of a schema-valid collector body whose fields do not fit its data type, or undefined. */
export function dataTypeProblem(body: DataTypeFields): InputProblem | undefined {
  for (const check of DATA_TYPE_CHECKS) {
    const problem = check(body);
    if (problem) return problem;
  }
  return undefined;
}

/** {@link validate} for collector bodies: the schema, then the checks that depend on the data type. */
export function validateCollectorBody<T extends DataTypeFields>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; problem: InputProblem } {
  const result = validate(schema, value);
  if (!result.ok) return result;
  const problem = dataTypeProblem(result.value);
  return problem ? { ok: false, problem } : result;
}
