/**
 * The usage and costs fields of a collector definition (PUT /api/collectors/{id}, COLLECTORS):
 * their schemas, and the checks that depend on the data type or on the collector as it is.
 */
import { z } from "zod";
import type { InputProblem } from "../collectors/definitionInput";
import { bucketWidthOf, isUsageDataType, type UsageOptions } from "./definition";
import { BUCKET_WIDTHS, USAGE_FAMILIES } from "./series";

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");

/** Fields of the collector body that only usage and costs collectors take. */
export const usageBodyFields = {
  families: z.array(z.enum(USAGE_FAMILIES, { message: `must be one of ${quoted(USAGE_FAMILIES)}` }))
    .min(1, "must name at least one usage family")
    .refine((families) => new Set(families).size === families.length, "must name each family once")
    .optional(),
  bucketWidth: z.enum(BUCKET_WIDTHS as ["1m", "1h", "1d"], { message: `must be one of ${quoted(BUCKET_WIDTHS)}` }).optional(),
};

/**
 * Adds an issue (path: the field; message: the phrase after its name, as the management API words
 * problems) for each usage field that does not fit the body's data type: families for usage only,
 * bucketWidth for usage and costs only, and daily for costs. Every problem at once.
 */
export function checkUsageFields(body: UsageOptions, ctx: z.RefinementCtx): void {
  if (body.families !== undefined && body.dataType !== "usage") ctx.addIssue({ code: "custom", path: ["families"], message: `applies to dataType "usage" only, not "${body.dataType}"` });
  if (body.bucketWidth !== undefined && !isUsageDataType(body.dataType)) {
    ctx.addIssue({ code: "custom", path: ["bucketWidth"], message: `applies to dataType "usage" and "costs" only, not "${body.dataType}"` });
  } else if (body.dataType === "costs" && body.bucketWidth !== undefined && body.bucketWidth !== "1d") {
    ctx.addIssue({ code: "custom", path: ["bucketWidth"], message: `must be "1d" for costs: the costs endpoint has daily buckets only, got "${body.bucketWidth}"` });
  }
}

/**
 * The problem with changing an existing collector to `body`: a usage collector's bucket width
 * cannot change (its cursor and its rows are in buckets of that width).
 */
export function usageChangeProblem(existing: UsageOptions, body: UsageOptions): InputProblem | undefined {
  if (!isUsageDataType(existing.dataType) || body.bucketWidth === undefined || body.bucketWidth === bucketWidthOf(existing)) return undefined;
  return { field: "bucketWidth", message: `bucketWidth cannot change from "${bucketWidthOf(existing)}" to "${body.bucketWidth}": its cursor and rows are in ${bucketWidthOf(existing)} buckets. Create another collector (and delete this one).` };
}
