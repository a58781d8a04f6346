/**
 * The V8 heap limit the embedded host runs with (`npm start`, the systemd unit in README.md, the
 * soak benchmark). V8 lets the old generation grow to a multiple of the live heap before its next
 * full collection, and that multiple depends on the heap limit: up to 4× when the limit is large
 * (Node's default on a 64-bit machine with plenty of memory), about 1.3–2× when it is small
 * (V8's heap controller, `MaxGrowingFactor`, src/heap/heap-controller.cc). An idle host with 500
 * collectors keeps about 40 MB live; in a one-off check (one simulated hour of the soak, 2026-12-02,
 * not a benchmark group) its heap grew to 175 MB (RSS 290 MB) with the default limit and to 98 MB
 * (RSS 178 MB) with 512 MB, at the cost of more frequent full collections.
 *
 * 512 MB is ten times what 500 collectors keep live, so it is a bound on garbage, not on work:
 * a host that truly needs more stops with V8's "heap out of memory" error, and runs again with a
 * larger value given to node directly (`node --max-old-space-size=1024 dist/src/local/main.js`).
 */

/** The heap limit, in MiB. */
export const EMBEDDED_HEAP_LIMIT_MB = 512;

/** The node flags that set it, as given on the command line before the script. */
export const EMBEDDED_NODE_FLAGS: readonly string[] = [`--max-old-space-size=${EMBEDDED_HEAP_LIMIT_MB}`];
