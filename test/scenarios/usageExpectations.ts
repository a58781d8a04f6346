/**
 * What the scenario tests expect of usage and costs rows, computed from the OpenAI mock's own
 * answer (its ledger) and the spec's list of group dimensions (test/fixtures), and the same facts
 * read back from the parsers' result, keyed alike so the two compare as whole maps.
 */
import endpoints from "../fixtures/openai-usage-endpoints.json";
import type { LocalApp } from "../fakes/localApp";
import type { Row } from "../fakes/snapshotRule";

/** The documented settle times (README "Usage and costs"): a bucket is read this long after it ends. */
export const USAGE_SETTLE_SECONDS = 900;
export const COSTS_SETTLE_SECONDS = 3_600;

type Spec = { groupBy: string[]; integerFields: string[] };
const SPEC = endpoints.endpoints as Record<string, Spec>;

/** The spec's description of a series' endpoint. */
export function specOf(series: string): Spec {
  return SPEC[series === "costs" ? "/organization/costs" : `/organization/usage/${series}`]!;
}

const WIDTH = { "1m": 60, "1h": 3_600, "1d": 86_400 } as const;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
/** `input_cached_tokens` → `InputCachedTokens`, as the table names columns. */
export const column = (field: string) => field.split("_").map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");

function valuesOf(series: string, get: (field: string) => unknown): Record<string, unknown> {
  if (series === "costs") return { Amount: get("amount.value"), Currency: get("amount.currency"), Quantity: get("quantity") ?? null, QuantityUnit: get("quantity_unit") ?? null };
  return Object.fromEntries(specOf(series).integerFields.map((f) => [column(f), get(f) ?? 0]));
}

/**
 * Every group of every bucket of `series` from `fromSeconds` that has settled by `nowMs`, as the
 * mock's API answers now: `<bucket start>|<group values>` → the values its row must carry.
 */
export function apiSays(app: LocalApp, series: string, fromSeconds: number, nowMs: number, width: keyof typeof WIDTH, settleSeconds: number): Map<string, Record<string, unknown>> {
  const w = WIDTH[width];
  const groupBy = specOf(series).groupBy;
  const out = new Map<string, Record<string, unknown>>();
  for (let s = Math.floor(fromSeconds / w) * w; s + w + settleSeconds <= nowMs / 1000; s += w) {
    for (const r of app.stack.openai.usage.results(series as never, s, s + w, groupBy as never, nowMs)) {
      const amount = r.amount as { value: number; currency: string } | undefined;
      const group = [...groupBy.map((d) => r[d] ?? null), ...(series === "costs" ? [amount?.currency] : [])];
      out.set(`${iso(s)}|${JSON.stringify(group)}`, valuesOf(series, (f) => (f === "amount.value" ? amount?.value : f === "amount.currency" ? amount?.currency : r[f])));
    }
  }
  return out;
}

/** The same map from rows of the parser's result. */
export function parserSays(rows: readonly Row[], series: string): Map<string, Record<string, unknown>> {
  const groupBy = specOf(series).groupBy;
  const out = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const group = [...groupBy.map((d) => r[column(d)] ?? null), ...(series === "costs" ? [r.Currency] : [])];
    const key = `${String(r.BucketStart)}|${JSON.stringify(group)}`;
    if (out.has(key)) throw new Error(`the parser returns ${key} twice`);
    out.set(key, valuesOf(series, (f) => (f === "amount.value" ? r.Amount : f === "amount.currency" ? r.Currency : r[column(f)])));
  }
  return out;
}

/** What summing every accepted row (no parser) gives per bucket and group: the double count a revision causes. */
export function naiveSums(rows: readonly Row[], series: string): Map<string, number> {
  const field = series === "costs" ? "Amount" : column(specOf(series).integerFields[0]!);
  const out = new Map<string, number>();
  for (const r of rows) out.set(String(r.BucketStart), (out.get(String(r.BucketStart)) ?? 0) + Number(r[field] ?? 0));
  return out;
}
