/**
 * Stands in for `@azure/functions-core`, the module the Functions Node worker injects. With it
 * installed, `app.*` and `df.app.*` registrations reach this registry instead of going to
 * "test mode", so the local host runs exactly the functions Azure runs. Must be installed before
 * `@azure/functions` is first used (it caches a missing core for good).
 */
import Module from "node:module";

/** A binding of registered function metadata. */
export interface BindingMetadata {
  readonly type: string;
  readonly direction: "in" | "out" | "inout";
  readonly [key: string]: unknown;
}

/** One registered function as the worker would see it. */
export interface RegisteredFunction {
  readonly name: string;
  readonly bindings: Readonly<Record<string, BindingMetadata>>;
  readonly handler: (triggerInput: unknown, context: unknown) => unknown;
  /** The trigger binding's type, e.g. `httpTrigger`, `activityTrigger`. */
  readonly triggerType: string;
  readonly triggerName: string;
}

const registry = new Map<string, RegisteredFunction>();
let installed = false;

/** Installs the stand-in core module (idempotent) and returns the live registry. */
export function installFunctionsCore(): ReadonlyMap<string, RegisteredFunction> {
  if (installed) return registry;
  installed = true;
  const coreApi = {
    version: "4.x-local",
    hostVersion: "4.x-local",
    registerHook: () => ({ dispose: () => undefined }),
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    log: () => undefined,
    Disposable: class { dispose(): void { /* nothing to release */ } },
    registerFunction(metadata: { name: string; bindings: Record<string, BindingMetadata> }, handler: RegisteredFunction["handler"]) {
      const key = metadata.name.toLowerCase();
      if (registry.has(key)) throw new Error(`A function with id "${metadata.name}" has already been registered.`);
      const trigger = Object.entries(metadata.bindings).find(([, b]) => b.type.toLowerCase().endsWith("trigger"));
      if (!trigger) throw new Error(`Function "${metadata.name}" has no trigger binding.`);
      registry.set(key, { name: metadata.name, bindings: metadata.bindings, handler, triggerType: trigger[1].type, triggerName: trigger[0] });
      return { dispose: () => registry.delete(key) };
    },
  };
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  const original = proto.require;
  proto.require = function patchedRequire(this: unknown, id: string): unknown {
    return id === "@azure/functions-core" ? coreApi : original.call(this, id);
  };
  return registry;
}

/** The registered function named `name` (case-insensitive), or an error naming what exists. */
export function registeredFunction(name: string): RegisteredFunction {
  const fn = registry.get(name.toLowerCase());
  if (!fn) throw new Error(`No function "${name}" is registered (have: ${[...registry.values()].map((f) => f.name).join(", ")})`);
  return fn;
}

/** Every registered function. */
export function registeredFunctions(): RegisteredFunction[] {
  return [...registry.values()];
}
