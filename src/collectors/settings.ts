/** Runtime tuning read from app settings (used by the collector entity, recorded in history). */
import type { RuntimeSettings } from "../../orchestrators/state";
import { ConfigError } from "../config";

/** Default late horizon of stored completions: 30 minutes. */
export const DEFAULT_CHAT_LATE_HORIZON_SECONDS = 1_800;

type Env = Readonly<Record<string, string | undefined>>;

function bounded(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** Reads the tuning settings; every one is optional with a sensible default. */
export function readRuntimeSettings(env: Env = process.env): RuntimeSettings {
  return {
    parallelism: bounded(env, "FETCH_PARALLELISM", 4, 1, 32),
    maxPagesPerActivity: bounded(env, "PAGES_PER_ACTIVITY", 10, 1, 100),
    chatPagesPerActivity: bounded(env, "CHAT_PAGES_PER_ACTIVITY", 20, 1, 300),
    lagSeconds: bounded(env, "AUDIT_LAG_SECONDS", 60, 0, 3_600),
    overlapSeconds: bounded(env, "AUDIT_OVERLAP_SECONDS", 1_800, 0, 86_400),
    chatLateHorizonSeconds: bounded(env, "CHAT_LATE_HORIZON_SECONDS", DEFAULT_CHAT_LATE_HORIZON_SECONDS, 0, 21_600),
  };
}
