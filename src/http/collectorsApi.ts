/**
 * The management API: thin, idempotent handlers that validate input, act on the collector's
 * deterministic instance id and entity, and answer JSON. Definitions live in the collector
 * entity (durable state), so there is no database to run.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { COLLECTOR_ORCHESTRATOR, collectorIdOfInstance } from "../../orchestrators/names";
import { initialState, type CollectorControl } from "../../orchestrators/state";
import { redactSecrets } from "../redact";
import type { ConnectionTestResult } from "../collectors/connectionTest";
import { dataTypeViews, type DataType } from "../collectors/dataTypes";
import { collectorBodySchema, COLLECTOR_ID_PATTERN, connectionTestBodySchema, resetBodySchema, validate, validateCollectorBody } from "../collectors/definitionInput";
import { usageChangeProblem } from "../usage/definitionInput";
import { collectorEntityId, createCollector, definitionFrom, ensureRunning, instanceStatus, readControl, terminateAndPurge, wake } from "../collectors/collectorOps";
import type { InputProblem } from "../collectors/definitionInput";
import { collectorView } from "./collectorView";
import { json, problem, readJsonBody } from "./responses";

/** What the handlers need besides the durable client. */
export interface ApiOptions {
  readonly openaiBaseUrl: string;
  /** Wall clock (default startTime of a new collector). */
  readonly now: () => number;
  /** How long reset and delete wait for a terminated instance to settle. */
  readonly settleTimeoutMs?: number;
  /**
   * Reads the named secret and says what is wrong when its key is of another kind than the data
   * type needs (src/collectors/keyCheck.ts); undefined when it fits or cannot be told.
   */
  readonly checkKey?: (dataType: DataType, apiKeySecretName: string) => Promise<InputProblem | undefined>;
  /** Runs a connection test (src/collectors/connectionTest.ts) with the app's clients. */
  readonly testConnection: (dataType: DataType, apiKeySecretName: string) => Promise<ConnectionTestResult>;
}

type Handler = (request: HttpRequest, client: DurableClient, context: InvocationContext) => Promise<HttpResponseInit>;

/** Creates the handlers. */
export function collectorsApi(options: ApiOptions) {
  const settleTimeoutMs = options.settleTimeoutMs ?? 30_000;
  const view = async (client: DurableClient, control: CollectorControl, withCursor = false) =>
    collectorView(control, await instanceStatus(client, control.definition.id), options.openaiBaseUrl, withCursor);

  /** Validates the route id, then runs `body` with it; unexpected errors become a 500 without secrets. */
  const withId = (body: (id: string, request: HttpRequest, client: DurableClient) => Promise<HttpResponseInit>): Handler =>
    async (request, client, context) => {
      const id = request.params.id ?? "";
      if (!COLLECTOR_ID_PATTERN.test(id)) return problem(400, "InvalidCollectorId", `id must be 1-64 characters of a-z, 0-9 and '-', got "${id.slice(0, 80)}"`, "id");
      try {
        return await body(id, request, client);
      } catch (error) {
        const message = redactSecrets((error as Error).message);
        context.error(`collector ${id}: ${message}`);
        return problem(500, "InternalError", message);
      }
    };

  const withControl = (body: (control: CollectorControl, request: HttpRequest, client: DurableClient) => Promise<HttpResponseInit>): Handler =>
    withId(async (id, request, client) => {
      const control = await readControl(client, id);
      if (!control) return problem(404, "CollectorNotFound", `No collector with id "${id}".`);
      return body(control, request, client);
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
    const checked = validateCollectorBody(collectorBodySchema, parsed.value);
    if (!checked.ok) return problem(400, "InvalidField", checked.problem.message, checked.problem.field);
    const wrongKey = await options.checkKey?.(checked.value.dataType, checked.value.apiKeySecretName);
    if (wrongKey) return problem(400, "InvalidField", wrongKey.message, wrongKey.field);
    const existing = await readControl(client, id);
    if (!existing) return json(201, await view(client, await createCollector(client, id, checked.value, options.now(), settleTimeoutMs)));
    if (existing.definition.dataType !== checked.value.dataType) {
      return problem(409, "DataTypeConflict", `Collector "${id}" collects ${existing.definition.dataType}; its dataType cannot change. Delete it or use another id.`, "dataType");
    }
    const change = usageChangeProblem(existing.definition, checked.value);
    if (change) return problem(409, "DefinitionConflict", change.message, change.field);
    const control: CollectorControl = { definition: definitionFrom(id, checked.value, existing.definition, options.now()), desired: existing.desired };
    await client.signalEntity(collectorEntityId(id), "configure", control);
    if (control.desired === "running") await ensureRunning(client, control);
    else await wake(client, id);
    return json(200, await view(client, control));
  });

  const start = withControl(async (control, _request, client) => {
    const running: CollectorControl = { ...control, desired: "running" };
    await client.signalEntity(collectorEntityId(control.definition.id), "setDesired", "running");
    await ensureRunning(client, running);
    return json(200, await view(client, running));
  });

  const stop = withControl(async (control, _request, client) => {
    const stopped: CollectorControl = { ...control, desired: "stopped" };
    await client.signalEntity(collectorEntityId(control.definition.id), "setDesired", "stopped");
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
    await client.signalEntity(collectorEntityId(id), "configure", next);
    await ensureRunning(client, next, initialState(id, startTime));
    return json(200, await view(client, next));
  });

  const remove = withControl(async (control, _request, client) => {
    await terminateAndPurge(client, control.definition.id, "collector deleted", settleTimeoutMs);
    await client.signalEntity(collectorEntityId(control.definition.id), "delete");
    return { status: 204 };
  });

  /** POST /api/collectors/{id}/test: the saved collector's key and data type. */
  const test = withControl(async (control) => json(200, await options.testConnection(control.definition.dataType, control.definition.apiKeySecretName)));

  /** POST /api/connection-tests: an unsaved definition (the add/modify form), validated like PUT; nothing is stored. */
  const testDefinition: Handler = async (request, _client, context) => {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return parsed.response;
    if (parsed.value === undefined) return problem(400, "MissingBody", "A JSON body with dataType and apiKeySecretName is required.", "body");
    const checked = validateCollectorBody(connectionTestBodySchema, parsed.value);
    if (!checked.ok) return problem(400, "InvalidField", checked.problem.message, checked.problem.field);
    try {
      return json(200, await options.testConnection(checked.value.dataType, checked.value.apiKeySecretName));
    } catch (error) {
      const message = redactSecrets((error as Error).message);
      context.error(`connection test: ${message}`);
      return problem(500, "InternalError", message);
    }
  };

  /** GET /api/data-types: the data-type registry with endpoints on this app's OpenAI base. */
  const dataTypes: Handler = () => Promise.resolve(json(200, { dataTypes: dataTypeViews(options.openaiBaseUrl) }));

  return { list, get, put, start, stop, reset, remove, test, testDefinition, dataTypes };
}
