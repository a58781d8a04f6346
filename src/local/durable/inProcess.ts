/**
 * The durable hosts whose RPC listener runs in this process, by the listener's base URL. A
 * function invoked by such a host holds a durableClient binding whose `rpcBaseUrl` names the
 * listener; code in the same process can then reach the host with a direct call instead of a
 * loopback HTTP request through the SDK's `DurableClient` (src/local/embeddedProgressLog.ts).
 */
import type { InvocationContext } from "@azure/functions";
import type { DurableHost } from "./host";

const hosts = new Map<string, DurableHost>();

/** Registers `host` as served at `rpcBaseUrl` (ending in `/durabletask/`); returns the unregistration. */
export function serveInProcess(rpcBaseUrl: string, host: DurableHost): () => void {
  hosts.set(rpcBaseUrl, host);
  return () => {
    if (hosts.get(rpcBaseUrl) === host) hosts.delete(rpcBaseUrl);
  };
}

/**
 * The host behind the durableClient input of `context`, when its listener runs in this process;
 * undefined when the function has no such input, or the binding came from elsewhere (the Durable
 * extension on Azure, the engine tests' C# host).
 */
export function inProcessHostOf(context: InvocationContext): DurableHost | undefined {
  for (const input of context.options.extraInputs) {
    if (input.type !== "durableClient" && input.type !== "orchestrationClient") continue;
    const data = context.extraInputs.get(input) as { rpcBaseUrl?: unknown } | undefined;
    return typeof data?.rpcBaseUrl === "string" ? hosts.get(data.rpcBaseUrl) : undefined;
  }
  return undefined;
}
