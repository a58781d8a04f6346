/**
 * The management API: thin, idempotent handlers that validate input, act on the collector's
 * deterministic instance id and entity, and answer JSON. Definitions live in the collector
 * entity (durable state), so there is no database to run.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { DurableClient } from "durable-functions";
import { deletedHealthReport, type HealthReport } from "../../orchestrators/health";
import type { CollectorControl } from "../../orchestrators/state";
import { redactSecrets } from "../redact";
import type { ConnectionTestResult } from "../collectors/connectionTest";
import { dataTypeViews, type DataType } from "../collectors/dataTypes";
import type { ComplianceOptions } from "../compliance/streams";
import { collectorBodySchema, COLLECTOR_ID_PATTERN, connectionTestBodySchema, resetBodySchema, startTimeProblems, validate, type InputProblem } from "../collectors/definitionInput";
import { usageChangeProblem } from "../usage/definitionInput";
import { collectorEntityId, createCollector, deleteCollector, ensureRunning, instanceStatus, modifyCollector, NotConfirmedError, readControl, resetCollector, wake } from "../collectors/collectorOps";
import { knownCollectors } from "../collectors/collectorIndex";
import { collectorView, liveLagSeconds } from "./collectorView";
import { invalidFields, json, problem, readJsonBody } from "./responses";

/** What the handlers need besides the durable client. */
export interface ApiOptions {
  readonly openaiBaseUrl: string;
  /** ChatGPT Compliance API base (compliance collectors' `url`); default api.chatgpt.com. */
  readonly complianceBaseUrl?: string;
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
  readonly testConnection: (dataType: DataType, apiKeySecretName: string, compliance?: ComplianceOptions) => Promise<ConnectionTestResult>;
  /**
   * Writes a health row (the health activity's handler, activities/writeConnectorHealth.ts):
   * DELETE writes the collector's final row, state `deleted`, so health queries stop treating it
   * as silent. Best effort: it does not throw, and its outcome never changes the answer.
   */
  readonly reportHealth?: (report: HealthReport) => Promise<unknown>;
}

type Handler = (request: HttpRequest, client: DurableClient, context: InvocationContext) => Promise<HttpResponseInit>;

/** Creates the handlers. */
export function collectorsApi(options: ApiOptions) {
  const settleTimeoutMs = options.settleTimeoutMs ?? 30_000;
  const view = async (client: DurableClient, control: CollectorControl, withCursor = false) => {
    const instance = await instanceStatus(client, control.definition.id);
    // The lag grows while nothing is collected (stopped, unauthorized, backing off): computed now, not at the last generation.
    return { ...collectorView(control, instance, options.openaiBaseUrl, withCursor, options.complianceBaseUrl), lag: liveLagSeconds(instance, options.now()) };
  };

  /** Validates the route id, then runs `body` with it; unexpected errors become a 500 without secrets. */
  const withId = (body: (id: string, request: HttpRequest, client: DurableClient) => Promise<HttpResponseInit>): Handler =>
    async (request, client, context) => {
      const id = request.params.id ?? "";
      if (!COLLECTOR_ID_PATTERN.test(id)) return problem(400, "InvalidCollectorId", `id must be 1-64 characters of a-z, 0-9 and '-', got "${id.slice(0, 80)}"`, "id");
      try {
        return await body(id, request, client);
      } catch (error) {
        if (error instanceof NotConfirmedError) return problem(503, "NotConfirmed", error.message);
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
    const views = [];
    // The index finds collectors whose instance is gone too (shown as notRunning until the reconciler revives them).
    for (const { id } of await knownCollectors(client)) {
      const control = await readControl(client, id);
      if (control) views.push(await view(client, control));
    }
    return json(200, { collectors: views });
  };

  const get = withControl(async (control, _request, client) => json(200, await view(client, control, true)));

  const put = withId(async (id, request, client) => {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return parsed.response;
    if (parsed.value === undefined) return problem(400, "MissingBody", "A JSON body with dataType, friendlyName and apiKeySecretName (and compliance for complianceLogs) is required.", "body");
    const checked = validate(collectorBodySchema, parsed.value, startTimeProblems(parsed.value, options.now()));
    if (!checked.ok) return invalidFields(checked.problems);
    const wrongKey = await options.checkKey?.(checked.value.dataType, checked.value.apiKeySecretName);
    if (wrongKey) return invalidFields([wrongKey]);
    const existing = await readControl(client, id);
    if (!existing) {
      const created = await createCollector(client, id, checked.value, options.now(), settleTimeoutMs);
      if (created.outcome === "exists") {
        return problem(409, "CreateConflict", `Collector "${id}" was created by another request at the same time; nothing of this request was applied. GET it, then PUT again to change it.`, "id");
      }
      return json(201, await view(client, created.control));
    }
    if (existing.definition.dataType !== checked.value.dataType) {
      return problem(409, "DataTypeConflict", `Collector "${id}" collects ${existing.definition.dataType}; its dataType cannot change. Delete it or use another id.`, "dataType");
    }
    const change = usageChangeProblem(existing.definition, checked.value);
    if (change) return problem(409, "DefinitionConflict", change.message, change.field);
    return json(200, await view(client, await modifyCollector(client, existing, checked.value, options.now())));
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
    // Without a body the saved startTime is used again; it is checked like a given one (a definition saved before the checks existed may hold any).
    const body = parsed.value ?? {};
    const given = typeof body === "object" && body !== null && !Array.isArray(body) && "startTime" in body;
    const range = given ? startTimeProblems(body, options.now(), control.definition.dataType)
      : startTimeProblems({ startTime: control.definition.startTime }, options.now(), control.definition.dataType)
        .map((p) => ({ field: p.field, message: `${p.message.replace(/^startTime /, "the saved startTime ")}; give a startTime in the body` }));
    const checked = validate(resetBodySchema, body, range);
    if (!checked.ok) return invalidFields(checked.problems);
    const startTime = checked.value.startTime ? new Date(checked.value.startTime).toISOString() : control.definition.startTime;
    return json(200, await view(client, await resetCollector(client, control, startTime, settleTimeoutMs)));
  });

  const remove = withControl(async (control, _request, client) => {
    const last = await deleteCollector(client, control.definition.id, settleTimeoutMs);
    await options.reportHealth?.(deletedHealthReport(control.definition, last?.stats ?? null, last?.audit ?? null, options.now()));
    return { status: 204 };
  });

  /** POST /api/collectors/{id}/test: the saved collector's key and data type. */
  const test = withControl(async (control) => json(200, await options.testConnection(control.definition.dataType, control.definition.apiKeySecretName, control.definition.compliance)));

  /** POST /api/connection-tests: an unsaved definition (the add/modify form), validated like PUT; nothing is stored. */
  const testDefinition: Handler = async (request, _client, context) => {
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return parsed.response;
    if (parsed.value === undefined) return problem(400, "MissingBody", "A JSON body with dataType and apiKeySecretName is required.", "body");
    const checked = validate(connectionTestBodySchema, parsed.value, startTimeProblems(parsed.value, options.now()));
    if (!checked.ok) return invalidFields(checked.problems);
    try {
      return json(200, await options.testConnection(checked.value.dataType, checked.value.apiKeySecretName, checked.value.compliance));
    } catch (error) {
      const message = redactSecrets((error as Error).message);
      context.error(`connection test: ${message}`);
      return problem(500, "InternalError", message);
    }
  };

  /** GET /api/data-types: the data-type registry with endpoints on this app's OpenAI base. */
  const dataTypes: Handler = () => Promise.resolve(json(200, { dataTypes: dataTypeViews(options.openaiBaseUrl, options.complianceBaseUrl) }));

  return { list, get, put, start, stop, reset, remove, test, testDefinition, dataTypes };
}
