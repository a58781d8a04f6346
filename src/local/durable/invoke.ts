/**
 * Invokes registered trigger functions the way the worker does: real `HttpRequest` and
 * `InvocationContext` objects, non-trigger inputs in `context.extraInputs` by binding name, and a
 * durableClient binding whose `rpcBaseUrl` points at the local RPC listener.
 */
import { randomUUID } from "node:crypto";
import { HttpRequest, InvocationContext, type HttpResponse, type HttpResponseInit } from "@azure/functions";
import type { RegisteredFunction } from "../functionsCore";

/** The durableClient binding data the extension would pass. */
export function durableClientData(rpcBaseUrl: string, taskHubName = "local") {
  const base = "http://localhost:7071/runtime/webhooks/durabletask";
  const q = `taskHub=${taskHubName}&connection=Storage&code=local`;
  return {
    taskHubName, connectionName: "Storage", rpcBaseUrl, baseUrl: base, requiredQueryStringParameters: q,
    creationUrls: { createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${q}`, waitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${q}` },
    managementUrls: {
      id: "INSTANCEID", statusQueryGetUri: `${base}/instances/INSTANCEID?${q}`, sendEventPostUri: `${base}/instances/INSTANCEID/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${base}/instances/INSTANCEID/terminate?reason={text}&${q}`, rewindPostUri: `${base}/instances/INSTANCEID/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${base}/instances/INSTANCEID?${q}`, restartPostUri: `${base}/instances/INSTANCEID/restart?${q}`,
      suspendPostUri: `${base}/instances/INSTANCEID/suspend?reason={text}&${q}`, resumePostUri: `${base}/instances/INSTANCEID/resume?reason={text}&${q}`,
    },
  };
}

/**
 * What fills a function's durableClient input: the base URL of a local RPC listener (the binding
 * data is then built as the extension builds it), or binding data a real extension produced
 * (the engine tests' C# host hands the Durable extension's own data over).
 */
export type DurableClientBinding = string | { readonly taskHubName: string; readonly rpcBaseUrl?: string };

function bindingData(client: DurableClientBinding): unknown {
  return typeof client === "string" ? durableClientData(client) : client;
}

/** Builds the context for a registered function, with its extra inputs filled. */
export function invocationContextFor(fn: RegisteredFunction, client: DurableClientBinding, log: (line: string) => void, triggerMetadata?: Record<string, unknown>): InvocationContext {
  const extraInputs = Object.entries(fn.bindings)
    .filter(([name, b]) => name !== fn.triggerName && b.direction === "in")
    .map(([name, b]) => ({ ...b, name }));
  const context = new InvocationContext({
    functionName: fn.name, invocationId: randomUUID(),
    ...(triggerMetadata ? { triggerMetadata } : {}),
    logHandler: (level, ...args) => log(`[${fn.name}] ${level}: ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`),
    options: { trigger: { ...fn.bindings[fn.triggerName]!, name: fn.triggerName }, extraInputs: extraInputs, extraOutputs: [] },
  });
  for (const input of extraInputs) if (input.type === "durableClient" || input.type === "orchestrationClient") context.extraInputs.set(input.name, bindingData(client));
  return context;
}

/** Calls an HTTP function with a request. */
export async function invokeHttp(fn: RegisteredFunction, request: HttpRequest, client: DurableClientBinding, log: (line: string) => void = () => undefined): Promise<HttpResponse | HttpResponseInit> {
  const context = invocationContextFor(fn, client, log);
  return (await fn.handler(request, context)) as HttpResponse | HttpResponseInit;
}

/** Builds an `HttpRequest` as the worker would for a route with parameters. */
export function httpRequest(method: string, url: string, body?: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method, url, headers, params, ...(body !== undefined && method !== "GET" && method !== "HEAD" ? { body: { string: body } } : {}) });
}

/** Calls a timer function as the host does when its schedule fires. */
export async function invokeTimer(fn: RegisteredFunction, client: DurableClientBinding, log: (line: string) => void = () => undefined, isPastDue = false): Promise<void> {
  const context = invocationContextFor(fn, client, log);
  await fn.handler({ isPastDue, schedule: { adjustForDST: false }, scheduleStatus: null }, context);
}
