/**
 * Replays what the real engine sent: every orchestrator payload the Durable extension delivered
 * during a scenario (its history, exactly as DTFx and the Azure Storage provider kept it) is run
 * again through the app's registered orchestrator on the real durable-functions SDK, which must
 * answer exactly what it answered the engine — the determinism the engine relies on when it
 * replays a history after a restart.
 */
import "../../src/local/installCore";
import { InvocationContext } from "@azure/functions";
import { registerFunctions } from "../../src/functions/register";
import { registeredFunction, registeredFunctions } from "../../src/local/functionsCore";
import { ENGINE_SETTINGS } from "./engineApp";
import type { EpisodeRecord } from "./worker";

function ensureRegistered(): void {
  if (registeredFunctions().length > 0) return;
  const unused = () => { throw new Error("a replayed orchestrator does no I/O"); };
  registerFunctions({ deps: unused, settings: () => ENGINE_SETTINGS, declaredCollectors: () => [], openaiBaseUrl: "https://api.openai.com/v1", now: Date.now });
}

/** Replays every episode; returns a description of each whose answer differs (empty: all replay). */
export async function replayMismatches(episodes: readonly EpisodeRecord[]): Promise<string[]> {
  ensureRegistered();
  const mismatches: string[] = [];
  for (const [i, episode] of episodes.entries()) {
    const fn = registeredFunction(episode.name);
    const replayed = await fn.handler(JSON.parse(episode.payload), new InvocationContext({ functionName: fn.name }));
    const again = JSON.stringify(replayed ?? null), before = JSON.stringify(episode.result);
    if (again !== before) mismatches.push(`episode ${i} of ${(JSON.parse(episode.payload) as { instanceId: string }).instanceId}: ${again.slice(0, 200)} ≠ ${before.slice(0, 200)}`);
  }
  return mismatches;
}
