/**
 * The management API: thin, idempotent handlers that validate input, act on the collector's
 * deterministic instance id and entity, and answer JSON. Definitions live in the collector
 * entity (durable state), so there is no database to run.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { COLLECTOR_ENTITY, COLLECTOR_ORCHESTRATOR, collectorIdOfInstance, collectorInstanceId, WAKE_EVENT } from "../../orchestrators/names";
import { initialState, type CollectorControl, type CollectorDefinition, type CollectorState } from "../../orchestrators/state";
import { redactSecrets } from "../redact";
import { collectorBodySchema, COLLECTOR_ID_PATTERN, DEFAULT_POLL_INTERVAL_SECONDS, resetBodySchema, validate } from "../collectors/definitionInput";
import { collectorView } from "./collectorView";
import { json, problem, readJsonBody } from "./responses";

/** What the handlers need besides the durable client. */
export interface ApiOptions {
  readonly openaiBaseUrl: string;
  /** Wall clock (default startTime of a new collector). */
  readonly now: () => number;
  /** How long reset and delete wait for a terminated instance to settle. */
  readonly settleTimeoutMs?: number;
}

/** Default look-back of a new collector without startTime. */
export const DEFAULT_LOOKBACK_SECONDS = 86_400;
const ACTIVE = new Set(["Running", "Pending", "ContinuedAsNew", "Suspended"]);

type Handler = (request: HttpRequest, client: DurableClient, context: InvocationContext) => Promise<HttpResponseInit>;

function entityId(id: string): df.EntityId {
  return new df.EntityId(COLLECTOR_ENTITY, id);
}

async function readControl(client: DurableClient, id: string): Promise<CollectorControl | undefined> {
  const entity = await client.readEntityState<CollectorControl>(entityId(id));
  return entity.entityExists && entity.entityState ? entity.entityState : undefined;
}

async function instanceStatus(client: DurableClient, id: string): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(collectorInstanceId(id), { showInput: true });
  } catch (error) {
    if (/404/.test((error as Error).message)) return undefined; // the JS client throws on 404
    throw error;
  }
}

function isState(value: unknown, id: string): value is CollectorState {
  return typeof value === "object" && value !== null && (value as CollectorState).v === 1 && (value as CollectorState).collectorId === id;
}

async function wake(client: DurableClient, id: string): Promise<void> {
  // A wake lost in a generation change is harmless: the next generation re-reads the entity.
  await client.raiseEvent(collectorInstanceId(id), WAKE_EVENT, null).catch(() => undefined);
}

/** Starts the orchestrator unless an instance is active; resumes from the last kept state. */
async function ensureRunning(client: DurableClient, id: string, fresh?: CollectorState): Promise<void> {
  const status = await instanceStatus(client, id);
  if (status && ACTIVE.has(String(status.runtimeStatus))) return wake(client, id);
  const input = fresh ?? (isState(status?.input, id) ? status.input : undefined);
  if (!input) throw new Error(`collector ${id} has no kept state to resume from`);
  try {
    await client.startNew(COLLECTOR_ORCHESTRATOR, { instanceId: collectorInstanceId(id), input });
  } catch (error) {
    // Another request started it first: starting is idempotent.
    const again = await instanceStatus(client, id);
    if (!again || !ACTIVE.has(String(again.runtimeStatus))) throw error;
  }
}

async function terminateAndPurge(client: DurableClient, id: string, reason: string, timeoutMs: number): Promise<void> {
  const instanceId = collectorInstanceId(id);
  let status = await instanceStatus(client, id);
  if (status && ACTIVE.has(String(status.runtimeStatus))) {
    await client.terminate(instanceId, reason);
    const deadline = Date.now() + timeoutMs;
    while (status && ACTIVE.has(String(status.runtimeStatus)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = await instanceStatus(client, id);
    }
    if (status && ACTIVE.has(String(status.runtimeStatus))) throw new Error(`collector ${id} did not stop within ${timeoutMs} ms; try again`);
  }
  if (status) await client.purgeInstanceHistory(instanceId);
}

/** Creates the handlers. */
export function collectorsApi(options: ApiOptions) {
  const settleTimeoutMs = options.settleTimeoutMs ?? 30_000;
  const view = async (client: DurableClient, control: CollectorControl, withCursor = false) =>
    collectorView(control, await instanceStatus(client, control.definition.id), options.openaiBaseUrl, withCursor);

  /** Validates the route id, then runs `body` with it; unexpected errors become a 500 without secrets. */
  const withId = (body: (id: string, request: HttpRequest, client: DurableClient, context: InvocationContext) => Promise<HttpResponseInit>): Handler =>
    async (request, client, context) => {
      const id = request.params.id ?? "";
      if (!COLLECTOR_ID_PATTERN.test(id)) return problem(400, "InvalidCollectorId", `id must be 1-64 characters of a-z, 0-9 and '-', got "${id.slice(0, 80)}"`, "id");
      try {
        return await body(id, request, client, context);
      } catch (error) {
        const message = redactSecrets((error as Error).message);
        context.error(`collector ${id}: ${message}`);
        return problem(500, "InternalError", message);
      }
    };

  const withControl = (body: (control: CollectorControl, request: HttpRequest, client: DurableClient, context: InvocationContext) => Promise<HttpResponseInit>): Handler =>
    withId(async (id, request, client, context) => {
      const control = await readControl(client, id);
      if (!control) return problem(404, "CollectorNotFound", `No collector with id "${id}".`);
      return body(control, request, client, context);
    });

  const list: Handler = async (_request, client) => {
    const statuses = (await client.getStatusAll()) as Array<{ instanceId: string; name: string }>;
    const ids = statuses.filter((s) => s.name.toLowerCase() === COLLECTOR_ORCHESTRATOR.toLowerCase()).map((s) => collectorIdOfInstance(s.instanceId)).filter((id): id is string => id !== undefined);
    const views = [];
    for (const id of [...new Set(ids)].sort()) {
      const control = await readControl(client, id);
      if (control) views.push(await view(client, control));
    }
    return json(200, { collectors: views });
  };

  const get = withControl(async (control, _request, client) => json(200, await view(client, control, true)));

  const put = withId(async (id, request, client) => {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return parsed.response;
    if (parsed.value === undefined) return problem(400, "MissingBody", "A JSON body with dataType, friendlyName and apiKeySecretName is required.", "body");
    const checked = validate(collectorBodySchema, parsed.value);
    if (!checked.ok) return problem(400, "InvalidField", checked.problem.message, checked.problem.field);
    const body = checked.value;
    const existing = await readControl(client, id);
    if (existing && existing.definition.dataType !== body.dataType) {
      return problem(409, "DataTypeConflict", `Collector "${id}" collects ${existing.definition.dataType}; its dataType cannot change. Delete it or use another id.`, "dataType");
    }
    const definition: CollectorDefinition = {
      id, dataType: body.dataType, friendlyName: body.friendlyName, apiKeySecretName: body.apiKeySecretName,
      pollIntervalSeconds: body.pollIntervalSeconds ?? existing?.definition.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS,
      startTime: body.startTime ? new Date(body.startTime).toISOString() : existing?.definition.startTime ?? new Date(options.now() - DEFAULT_LOOKBACK_SECONDS * 1000).toISOString(),
      version: (existing?.definition.version ?? 0) + 1,
    };
    const control: CollectorControl = { definition, desired: existing?.desired ?? "running" };
    await client.signalEntity(entityId(id), "configure", control);
    if (existing) {
      if (control.desired === "running") await ensureRunning(client, id);
      else await wake(client, id);
      return json(200, await view(client, control));
    }
    // A leftover instance of a deleted collector with the same id must not carry its cursor over.
    await terminateAndPurge(client, id, "replaced by a new collector", settleTimeoutMs);
    await ensureRunning(client, id, initialState(id, definition.startTime));
    return json(201, await view(client, control));
  });

  const start = withControl(async (control, _request, client) => {
    const running: CollectorControl = { ...control, desired: "running" };
    await client.signalEntity(entityId(control.definition.id), "setDesired", "running");
    const status = await instanceStatus(client, control.definition.id);
    await ensureRunning(client, control.definition.id, isState(status?.input, control.definition.id) ? undefined : initialState(control.definition.id, control.definition.startTime));
    return json(200, await view(client, running));
  });

  const stop = withControl(async (control, _request, client) => {
    const stopped: CollectorControl = { ...control, desired: "stopped" };
    await client.signalEntity(entityId(control.definition.id), "setDesired", "stopped");
    await wake(client, control.definition.id);
    const shown = await view(client, stopped);
    return json(shown.status === "stopped" ? 200 : 202, shown);
  });

  const reset = withControl(async (control, request, client) => {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return parsed.response;
    const checked = validate(resetBodySchema, parsed.value ?? {});
    if (!checked.ok) return problem(400, "InvalidField", checked.problem.message, checked.problem.field);
    const id = control.definition.id;
    const startTime = checked.value.startTime ? new Date(checked.value.startTime).toISOString() : control.definition.startTime;
    const next: CollectorControl = { definition: { ...control.definition, startTime, version: control.definition.version + 1 }, desired: "running" };
    await terminateAndPurge(client, id, "reset requested", settleTimeoutMs);
    await client.signalEntity(entityId(id), "configure", next);
    await ensureRunning(client, id, initialState(id, startTime));
    return json(200, await view(client, next));
  });

  const remove = withControl(async (control, _request, client) => {
    await terminateAndPurge(client, control.definition.id, "collector deleted", settleTimeoutMs);
    await client.signalEntity(entityId(control.definition.id), "delete");
    return { status: 204 };
  });

  return { list, get, put, start, stop, reset, remove };
}
