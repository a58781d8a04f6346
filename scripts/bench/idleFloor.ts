/**
 * What an idle poll costs at the least on this stack (issue 18): the parts of the idle path that
 * the connector's own code cannot remove, each measured alone in this process.
 *
 * - Replay: the durable-functions SDK and the collector orchestrator running the episodes of one
 *   idle poll (recorded on the embedded host), handed the trigger as the host hands it, with no
 *   host, store or I/O around them. Four episodes per poll (timer fired → continueAsNew; started →
 *   entity `get`; entity result → page activity; activity result → timer) are what one
 *   generation of the eternal orchestrator needs; each replays the generation so far.
 * - Request: one OpenAI list request for an empty page through the connector's client (axios,
 *   in-call retry, page parsing), beside the same request through node:http with a keep-alive
 *   agent and `JSON.parse`, against the OpenAI mock in the fakes' process (its CPU not counted).
 *
 * CPU is `process.cpuUsage()` (user + system) over `rounds` repetitions after a warm-up.
 */
import http from "node:http";
import https from "node:https";
import { InvocationContext } from "@azure/functions";
import type { Episode } from "../../src/local/durable/records";
import { orchestratorTrigger } from "../../src/local/durable/triggerPayload";
import { registeredFunction } from "../../src/local/functionsCore";

/** Per idle poll of one collector, ms of CPU. */
export interface IdleFloor {
  /** Episodes replayed per poll. */
  readonly episodesPerPoll: number;
  /** The SDK and orchestrator code running one poll's episodes. */
  readonly replayMsPerPoll: number;
  /** One empty-page request through the connector's OpenAI client (axios). */
  readonly clientMsPerRequest: number;
  /** The same request through node:http and JSON.parse. */
  readonly nodeHttpMsPerRequest: number;
}

/** CPU ms per call of `run`, over `rounds` calls after `rounds / 10` not counted. */
export async function cpuMsPerCall(run: () => Promise<unknown>, rounds: number): Promise<number> {
  for (let i = 0; i < Math.ceil(rounds / 10); i++) await run();
  const before = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / rounds;
}

/**
 * The episodes of the last whole generation of `instanceId` among `episodes` (recorded by a host
 * with `recordEpisodes`): from the last episode whose history starts the generation, back from
 * the generation after it. Throws when fewer than two whole generations were recorded.
 */
export function lastWholeGeneration(episodes: readonly Episode[], instanceId: string): Episode[] {
  const own = episodes.filter((e) => e.instanceId === instanceId);
  // An episode with no replayed events starts a generation (ExecutionStarted only).
  const starts = own.flatMap((e, i) => (e.history.every((h) => h.IsPlayed !== true) ? [i] : []));
  if (starts.length < 2) throw new Error(`need two whole generations of ${instanceId}, recorded ${starts.length}`);
  const from = starts[starts.length - 2]!, to = starts[starts.length - 1]!;
  // The generation's last episode (continueAsNew) is the one before the next start.
  return own.slice(from, to);
}

/**
 * CPU ms to replay `generation` once through the registered orchestrator, as the host does:
 * shallow copies of the events, the input parsed from its JSON text, the extension's fields.
 */
export async function replayMsPerGeneration(generation: readonly Episode[], rounds: number): Promise<number> {
  const prepared = generation.map((e) => ({ fn: registeredFunction(e.name), history: e.history, replayed: e.history.filter((h) => h.IsPlayed === true).length, inputText: JSON.stringify(e.input ?? null), instanceId: e.instanceId }));
  return cpuMsPerCall(async () => {
    for (const episode of prepared) {
      await episode.fn.handler(orchestratorTrigger(episode.history, episode.replayed, episode.inputText, episode.instanceId), new InvocationContext({ functionName: episode.fn.name, invocationId: "idle-floor" }));
    }
  }, rounds);
}

/** A GET of `url` with a bearer key through node:http(s) and one keep-alive agent, body parsed as JSON. */
export function nodeHttpGetJson(url: string, apiKey: string, ca?: string): () => Promise<unknown> {
  const secure = url.startsWith("https:");
  const agent = secure ? new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) }) : new http.Agent({ keepAlive: true });
  const get = secure ? https.get : http.get;
  return () => new Promise((resolve, reject) => {
    get(url, { agent, headers: { Authorization: `Bearer ${apiKey}`, Accept: "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`))));
    }).on("error", reject);
  });
}
