/**
 * What a usage or costs collector definition asks for, read with its defaults. Pure: orchestrators
 * import it.
 */
import { DEFAULT_USAGE_BUCKET_WIDTH, USAGE_FAMILIES, type BucketWidth, type SeriesName, type UsageFamily } from "./series";

/** The data types that read time buckets. */
export type UsageDataType = "usage" | "costs";

/** Whether a data type reads time buckets (usage or costs). */
export function isUsageDataType(dataType: string): dataType is UsageDataType {
  return dataType === "usage" || dataType === "costs";
}

/** The parts of a definition that say what a usage or costs collector reads. */
export interface UsageOptions {
  readonly dataType: string;
  /** Usage families to collect (usage only); every family when absent. */
  readonly families?: readonly UsageFamily[] | undefined;
  /** Bucket width (usage only; costs are daily); {@link DEFAULT_USAGE_BUCKET_WIDTH} when absent. */
  readonly bucketWidth?: BucketWidth | undefined;
}

/** The series a definition reads: its families (all by default) for usage, `costs` for costs. */
export function seriesOf(definition: UsageOptions): SeriesName[] {
  return definition.dataType === "costs" ? ["costs"] : [...(definition.families ?? USAGE_FAMILIES)];
}

/** The bucket width a definition reads: daily for costs, else its own or the default. */
export function bucketWidthOf(definition: UsageOptions): BucketWidth {
  return definition.dataType === "costs" ? "1d" : definition.bucketWidth ?? DEFAULT_USAGE_BUCKET_WIDTH;
}
