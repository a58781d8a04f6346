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

/** The problem with a body's usage fields for its data type, or undefined when there is none. */
export function usageOptionsProblem(body: UsageOptions): InputProblem | undefined {
  if (body.families !== undefined && body.dataType !== "usage") return { field: "families", message: `families applies to dataType "usage" only, not "${body.dataType}"` };
  if (body.bucketWidth !== undefined && !isUsageDataType(body.dataType)) return { field: "bucketWidth", message: `bucketWidth applies to dataType "usage" and "costs" only, not "${body.dataType}"` };
  if (body.dataType === "costs" && body.bucketWidth !== undefined && body.bucketWidth !== "1d") {
    return { field: "bucketWidth", message: `bucketWidth must be "1d" for costs: the costs endpoint has daily buckets only, got "${body.bucketWidth}"` };
  }
  return undefined;
}

/**
 * The problem with changing an existing collector to `body`: a usage collector's bucket width
 * cannot change (its cursor and its rows are in buckets of that width).
 */
export function usageChangeProblem(existing: UsageOptions, body: UsageOptions): InputProblem | undefined {
  if (!isUsageDataType(existing.dataType) || body.bucketWidth === undefined || body.bucketWidth === bucketWidthOf(existing)) return undefined;
  return { field: "bucketWidth", message: `bucketWidth cannot change from "${bucketWidthOf(existing)}" to "${body.bucketWidth}": its cursor and rows are in ${bucketWidthOf(existing)} buckets. Create another collector (and delete this one).` };
}
