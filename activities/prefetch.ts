/** Starting the next page's request while the current page uploads. */

/**
 * Starts `work` now and returns its promise, marked as handled so that a failure nobody awaits
 * (the upload before it failed, and the activity returned) is not an unhandled rejection. Awaiting
 * the returned promise still sees the failure.
 */
export function prefetch<T>(work: () => Promise<T>): Promise<T> {
  const promise = work();
  promise.catch(() => undefined);
  return promise;
}
