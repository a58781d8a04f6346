/**
 * Objects built from upstream keys. A record's field names come from OpenAI and can be anything,
 * `__proto__` included: `obj[key] = value` on a plain object would then set its prototype (or do
 * nothing, for a primitive value) instead of adding a field, and the field would be lost.
 * `JSON.parse` itself keeps such a key as an own property (ECMA-262, JSON.parse's internalize step
 * uses CreateDataProperty), so the row builders must too.
 */

/**
 * Adds `key` to `target` as an own, enumerable data property, whatever its name.
 * @returns `target`, for chaining.
 */
export function setOwnField<T extends Record<string, unknown>>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** A counter keyed by upstream strings (event types, model names): no inherited keys, any name counts. */
export function countInto(counts: Record<string, number>, key: string, by = 1): void {
  setOwnField(counts, key, (Object.hasOwn(counts, key) ? counts[key]! : 0) + by);
}
