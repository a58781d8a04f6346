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

/**
 * A path segment percent-decoded; one that cannot be decoded (`%E0%A4%A`: a cut escape or bytes
 * that are not UTF-8) is passed on as sent, as ASP.NET Core leaves an invalid escape, so the
 * handler's own validation answers it (400 naming the parameter). Never throws.
 */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
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
    const params = Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeSegment(v)]));
    return { fn, params };
  }
  return pathMatched ? "methodNotAllowed" : undefined;
}
