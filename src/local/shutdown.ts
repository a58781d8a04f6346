/**
 * Graceful stop of the embedded host (SIGTERM from systemd, Ctrl+C): stop taking API calls and
 * starting work, let the activities in flight finish their pages and record their results, then
 * exit — within a grace period, after which what is still running is left to run again on restart
 * (its pages are read again; nothing is lost, since cursors move only after delivery).
 */
import { ConfigError } from "../config";
import type { DurableHost } from "./durable/host";
import { ACTIVE } from "./durable/records";
import type { DurableStore } from "./durable/store";

/** Default grace period, seconds: well inside systemd's default `TimeoutStopSec` of 90 s. */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

/** `SHUTDOWN_GRACE_SECONDS` (1–3600, default 30); throws a ConfigError naming it. */
export function shutdownGraceSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.SHUTDOWN_GRACE_SECONDS?.trim();
  if (!raw) return DEFAULT_SHUTDOWN_GRACE_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 3_600) throw new ConfigError("SHUTDOWN_GRACE_SECONDS", `must be a whole number of seconds from 1 to 3600, got "${raw}"`);
  return value;
}

/** Activities that were scheduled and have not reported (they run again after a restart). */
export function unfinishedActivities(host: DurableHost): number {
  let count = 0;
  for (const r of host.instances.values()) if (ACTIVE.has(r.runtimeStatus)) count += Object.keys(r.activities).length;
  return count;
}

/** What {@link drainAndExit} stops. */
export interface DrainOptions {
  readonly host: DurableHost;
  readonly store: DurableStore;
  /** Listeners to close first (management API, durable RPC). */
  readonly servers: ReadonlyArray<{ close(): Promise<void> }>;
  /** Closed once the host has drained (or the grace period is over), before the state store: services activities use, such as the local ledger. */
  readonly afterDrain?: ReadonlyArray<() => Promise<void>>;
  readonly graceSeconds: number;
  readonly log: (line: string) => void;
  readonly exit: (code: number) => void;
}

/**
 * Closes the listeners, waits up to `graceSeconds` for the host to go idle (activities in flight
 * finish; queued ones do not start), writes the state and exits with code 0. Resolves when
 * `exit` was called.
 */
export async function drainAndExit(options: DrainOptions): Promise<void> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), options.graceSeconds * 1000); });
  const closing = Promise.all(options.servers.map((s) => s.close().catch(() => undefined)));
  const drained = await Promise.race([Promise.all([closing, options.host.shutdown()]).then(() => true as const), graceOver]);
  clearTimeout(timer);
  await Promise.all((options.afterDrain ?? []).map((close) => close().catch(() => undefined)));
  options.store.close();
  const left = unfinishedActivities(options.host);
  options.log(drained
    ? `stopped after ${Date.now() - started} ms: every activity in flight finished${left > 0 ? `; ${left} queued activit${left === 1 ? "y" : "ies"} will run on restart` : ""}`
    : `grace period of ${options.graceSeconds} s over: ${left} activit${left === 1 ? "y" : "ies"} will run again on restart`);
  options.exit(0);
}
