/** Matches a method and path to a registered HTTP function, as the Functions host routes `/api/...`. */
import type { RegisteredFunction } from "./functionsCore";

/** A matched route. */
export interface RouteMatch {
  readonly fn: RegisteredFunction;
  readonly params: Record<string, string>;
}

function compile(route: string): RegExp {
  const pattern = route.replace(/^\/+|\/+$/g, "").split("/").map((part) => {
    // `{*name}` is a catch-all: the rest of the path, slashes included.
    const catchAll = /^\{\*([A-Za-z0-9_]+)\}$/.exec(part);
    if (catchAll) return `(?<${catchAll[1]}>.+)`;
    const param = /^\{([A-Za-z0-9_]+)(:[^}]*)?\??\}$/.exec(part);
    return param ? `(?<${param[1]}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }).join("/");
  return new RegExp(`^${pattern}$`, "i");
}

/** Finds the HTTP function for `method` and `path` (path after `/api/`). */
export function matchRoute(functions: readonly RegisteredFunction[], method: string, path: string): RouteMatch | "methodNotAllowed" | undefined {
  let pathMatched = false;
  for (const fn of functions) {
    if (fn.triggerType !== "httpTrigger") continue;
    const trigger = fn.bindings[fn.triggerName]!;
    const match = compile(typeof trigger.route === "string" ? trigger.route : fn.name).exec(path.replace(/^\/+|\/+$/g, ""));
    if (!match) continue;
    pathMatched = true;
    const methods = (trigger.methods as string[] | undefined) ?? ["GET", "POST", "PUT", "DELETE", "PATCH"];
    if (!methods.map((m) => m.toUpperCase()).includes(method.toUpperCase())) continue;
    const params = Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
    return { fn, params };
  }
  return pathMatched ? "methodNotAllowed" : undefined;
}
