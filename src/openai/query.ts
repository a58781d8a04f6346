/** Query-string encoding in OpenAI's bracket form (as the official SDKs send it). Pure. */

/** A query value: scalars, arrays (`k[]=v`), or one level of object (`k[sub]=v`). */
export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[] | Readonly<Record<string, string | number | undefined>>;

/** Encodes a query with percent-encoded brackets; undefined and null values are left out. */
export function encodeQuery(query: Readonly<Record<string, QueryValue>>): string {
  const parts: string[] = [];
  const add = (key: string, value: string | number | boolean) => parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value as readonly (string | number)[]) add(`${key}[]`, item);
    else if (typeof value === "object") {
      for (const [sub, subValue] of Object.entries(value as Record<string, string | number | undefined>)) {
        if (subValue !== undefined) add(`${key}[${sub}]`, subValue);
      }
    } else add(key, value);
  }
  return parts.join("&");
}
