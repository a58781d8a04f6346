/**
 * Usage and costs buckets → `OpenAIUsage_CL` / `OpenAICosts_CL` rows. Pure. One row is one bucket ×
 * one group of one snapshot (one reading of the bucket); every row of a snapshot carries the same
 * `CollectedAt` and the snapshot's size (`SnapshotResults`), so a query can keep the newest complete
 * snapshot of each bucket (content/Parsers/OpenAIUsage.yaml, OpenAICosts.yaml). Column names come
 * from src/schema/openai-usage.table.json and openai-costs.table.json.
 */
import type { JsonObject } from "../openai/types";
import type { UsageBucket } from "../openai/usagePage";
import { groupKey, SERIES, type BucketWidth, type SeriesName } from "../usage/series";
import { asObject, asString, compact, unixSecondsToIso } from "./common";
import { fitRow } from "./fieldLimits";
import { setOwnField } from "../json/ownFields";

/** A row of `OpenAIUsage_CL` or `OpenAICosts_CL`; keys are column names. */
export type BucketRow = Record<string, unknown>;

/** Where a snapshot comes from and what it is. */
export interface SnapshotOrigin {
  readonly collectorId: string;
  readonly connectorName: string;
  readonly bucketWidth: BucketWidth;
  /** When the bucket was read, ISO-8601: one value for every row of the snapshot. */
  readonly collectedAt: string;
  /** True when the bucket had been delivered before with other values. */
  readonly isRevision: boolean;
}

/** `input_cached_tokens` → `InputCachedTokens`: the column of a result field. */
export function columnOf(field: string): string {
  return field.split("_").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("");
}

/** The row id: one bucket × one group, the same in every snapshot (`<series>:<width>:<start>:<group>`). */
export function bucketRowId(series: SeriesName, width: BucketWidth, bucketStart: number, group: string): string {
  return `${series}:${width}:${bucketStart}:${group}`;
}

function snapshotColumns(series: SeriesName, bucket: UsageBucket, origin: SnapshotOrigin, resultObject: unknown) {
  return {
    TimeGenerated: unixSecondsToIso(bucket.startTime),
    CollectorId: origin.collectorId,
    ConnectorName: origin.connectorName,
    ...(series === "costs" ? {} : { Family: series }),
    ObjectType: asString(resultObject) ?? SERIES[series].resultObject,
    BucketStart: unixSecondsToIso(bucket.startTime),
    BucketEnd: unixSecondsToIso(bucket.endTime),
    BucketWidth: origin.bucketWidth,
    CollectedAt: origin.collectedAt,
    SnapshotResults: bucket.results.length,
    IsRevision: origin.isRevision,
  };
}

/** A group value as its column holds it: strings as they are, `batch` as a boolean. */
function groupColumnValue(value: unknown, type: "string" | "boolean"): string | boolean | undefined {
  if (type === "boolean") return typeof value === "boolean" ? value : undefined;
  return asString(value);
}

function usageResultColumns(series: SeriesName, result: JsonObject): { columns: Record<string, unknown>; extra: JsonObject | null } {
  const info = SERIES[series];
  const columns: Record<string, unknown> = {};
  const extra: JsonObject = {};
  for (const [field, value] of Object.entries(result)) {
    // `object` is held by ObjectType when it is a string; a known field's null by its empty column.
    if (value === undefined || (field === "object" && (value === null || typeof value === "string"))) continue;
    const known = field !== "object" && ((info.groupBy as readonly string[]).includes(field) || info.counts.includes(field));
    if (value === null && known) continue;
    if (value === null || field === "object") setOwnField(extra, field, value);
    else if ((info.groupBy as readonly string[]).includes(field)) {
      const mapped = groupColumnValue(value, field === "batch" ? "boolean" : "string");
      if (mapped === undefined) setOwnField(extra, field, value);
      else columns[columnOf(field)] = mapped;
    } else if (info.counts.includes(field) && Number.isSafeInteger(value)) {
      columns[columnOf(field)] = value;
    } else {
      // Unknown fields, and known ones of an unexpected type, are kept as sent.
      setOwnField(extra, field, value);
    }
  }
  return { columns, extra: Object.keys(extra).length > 0 ? extra : null };
}

function costResultColumns(result: JsonObject): { columns: Record<string, unknown>; extra: JsonObject | null } {
  const { object: _object, amount, line_item, project_id, api_key_id, quantity, quantity_unit, ...rest } = result;
  const money = asObject(amount);
  const extra: JsonObject = { ...rest };
  // `object` is held by ObjectType when it is a string.
  if (_object !== undefined && _object !== null && typeof _object !== "string") extra.object = _object;
  const { value: _value, currency: _currency, ...otherMoney } = money ?? {};
  const notANumber = (value: unknown) => value !== undefined && value !== null && typeof value !== "number";
  // What does not fit the columns (another shape, a number sent as text) is kept as sent.
  if (amount !== undefined && amount !== null && (money === undefined || Object.keys(otherMoney).length > 0 || notANumber(money.value))) extra.amount = amount;
  if (notANumber(quantity)) extra.quantity = quantity;
  return {
    columns: {
      ProjectId: asString(project_id), LineItem: asString(line_item), ApiKeyId: asString(api_key_id),
      Amount: typeof money?.value === "number" ? money.value : undefined, Currency: asString(money?.currency),
      Quantity: typeof quantity === "number" ? quantity : undefined, QuantityUnit: asString(quantity_unit),
    },
    extra: Object.keys(extra).length > 0 ? extra : null,
  };
}

/**
 * The rows of one snapshot of `bucket`: one per result. An empty bucket yields no rows unless
 * `recordEmpty` (a bucket that had results before and has none now), which yields one row with
 * `SnapshotResults` 0 and no group, so the newest snapshot still says "nothing" for that bucket.
 */
export function snapshotRows(series: SeriesName, bucket: UsageBucket, origin: SnapshotOrigin, recordEmpty = false): BucketRow[] {
  if (bucket.results.length === 0) {
    return recordEmpty ? [compact({ ...snapshotColumns(series, bucket, origin, undefined), Id: bucketRowId(series, origin.bucketWidth, bucket.startTime, "empty") })] : [];
  }
  return bucket.results.map((result) => {
    const { columns, extra } = series === "costs" ? costResultColumns(result) : usageResultColumns(series, result);
    return fitRow(compact({
      ...snapshotColumns(series, bucket, origin, result.object),
      Id: bucketRowId(series, origin.bucketWidth, bucket.startTime, groupKey(series, result)),
      ...columns,
      AdditionalFields: extra,
    }));
  });
}
