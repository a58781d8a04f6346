/**
 * The composition root: builds the activities over their dependencies and registers every
 * function (orchestrator, activities, entity, HTTP API). Production passes real clients built
 * once per process; the local host and tests pass clients pointed at fakes.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { collectAuditSlice, type AuditSliceInput, type AuditSliceResult, type AuditSlicesInput } from "../../activities/collectAuditSlice";
import { collectChatCompletions, type CompletionSegmentInput, type CompletionSegmentResult } from "../../activities/collectChatCompletions";
import { collectComplianceLogs, type ComplianceStreamInput, type ComplianceStreamResult } from "../../activities/collectComplianceLogs";
import { findChatAnchors, type FindAnchorsInput, type FindAnchorsResult } from "../../activities/findChatAnchors";
import { usageBucketsHandler } from "../../activities/collectUsageBuckets";
import type { CollectDeps } from "../../activities/deps";
import { writeConnectorHealth } from "../../activities/writeConnectorHealth";
import { collectorOrchestrator } from "../../orchestrators/collectorOrchestrator";
import type { HealthReport } from "../../orchestrators/health";
import { AUDIT_SLICE_ACTIVITY, AUDIT_SLICES_ACTIVITY, CHAT_ANCHORS_ACTIVITY, CHAT_PAGES_ACTIVITY, COLLECTOR_ENTITY, COLLECTOR_ORCHESTRATOR, COMPLIANCE_LOGS_ACTIVITY, CONNECTOR_HEALTH_ACTIVITY, DELIVERY_PROGRESS_ENTITY, USAGE_BUCKETS_ACTIVITY } from "../../orchestrators/names";
import type { RuntimeSettings } from "../../orchestrators/state";
import { collectorEntity } from "../collectors/collectorEntity";
import { reconcile, type DeclaredCollector } from "../collectors/reconcile";
import { COLLECTOR_INDEX_ENTITY, collectorIndexEntity } from "../collectors/collectorIndex";
import { testConnection } from "../collectors/connectionTest";
import { keyKindProblem } from "../collectors/keyCheck";
import { progressEntity } from "../delivery/progressEntity";
import { durableProgressLog, type ProgressLog } from "../delivery/progressLog";
import { collectorsApi } from "../http/collectorsApi";
import { assetHandler, pageHandler } from "../http/collectorsPage";
import { redactSecrets } from "../redact";

/** What registration needs; `deps` is called lazily, once per process, on first use. */
export interface AppServices {
  readonly deps: () => CollectDeps;
  readonly settings: () => RuntimeSettings;
  readonly openaiBaseUrl: string;
  /** ChatGPT Compliance API base (shown as compliance collectors' `url`); default api.chatgpt.com. */
  readonly complianceBaseUrl?: string;
  readonly now: () => number;
  /** Collectors declared at deployment (COLLECTORS), kept alive by the reconciler. */
  readonly declaredCollectors: () => readonly DeclaredCollector[];
  /** Whether generations write OpenAIConnectorHealth_CL rows (CONNECTOR_HEALTH_ENABLED); default true. */
  readonly connectorHealthEnabled?: boolean;
  /**
   * For the benchmark's baseline only (scripts/bench/run.ts, "page-progress records"): read at the
   * start of each page activity call; `false` hands the activity no progress log, so it neither
   * reads nor writes the collector's `deliveryProgress` entity (a crash then re-sends every page the
   * call uploaded). Default: records on. No setting or environment variable reaches it: the
   * production and local composition roots never pass it.
   */
  readonly pageProgress?: () => boolean;
  /**
   * Where a page activity invoked with `context` records its page progress, when there is a
   * quicker route to the same `deliveryProgress` entity than the durable client: the embedded
   * host's composition roots pass `embeddedProgressLog` (src/local/embeddedProgressLog.ts), a
   * direct call into the durable host of the process. Returning undefined (or leaving this out,
   * as production does) uses the durable client input binding.
   */
  readonly progressLog?: (context: InvocationContext) => ProgressLog | undefined;
}

/** When the reconciler runs (NCRONTAB): every five minutes. */
export const RECONCILE_SCHEDULE = "0 */5 * * * *";

function unexpected(error: unknown): { kind: "failed"; retriable: true; message: string } {
  return { kind: "failed", retriable: true, message: `unexpected error: ${redactSecrets((error as Error)?.message ?? String(error))}` };
}

/** Registers every function of the app. Call once per process. */
export function registerFunctions(services: AppServices): void {
  // Activities never throw for upstream problems (they return tagged outcomes), and an
  // unexpected throw is turned into a failed outcome too: a thrown error would make Task.all
  // reject and lose the progress the other fanned-out activities reported.
  // Each page activity gets a durable client (input binding) to record its page progress in the
  // collector's deliveryProgress entity, so a re-delivered call resumes (activities/pageDelivery.ts).
  const progress = (context: InvocationContext) => (services.pageProgress?.() === false ? undefined : services.progressLog?.(context) ?? durableProgressLog(df.getClient(context)));
  const auditSlice = async (input: AuditSliceInput, context: InvocationContext): Promise<AuditSliceResult> => {
    try {
      const result = await collectAuditSlice(services.deps(), progress(context))(input);
      context.log(`audit ${input.collectorId} ${input.scope ?? "organization"}${input.late ? " late" : ""} [${input.gte},${input.lt}): ${result.pages} pages, ${result.rowsWritten} rows, ${result.outcome.kind}${result.done ? ", done" : ""}`);
      return result;
    } catch (error) {
      context.error(`audit ${input.collectorId}: ${unexpected(error).message}`);
      return { outcome: unexpected(error), done: false, after: input.after, ...(input.skip ? { skip: [...input.skip] } : {}), pages: 0, rowsWritten: 0, duplicates: 0, newestEventAt: null, unknownTypes: {}, refused: null };
    }
  };
  df.app.activity(AUDIT_SLICE_ACTIVITY, { extraInputs: [df.input.durableClient()], handler: auditSlice });
  // The slices of one call run at once, each exactly as its own call would (progress records included).
  df.app.activity(AUDIT_SLICES_ACTIVITY, {
    extraInputs: [df.input.durableClient()],
    handler: (input: AuditSlicesInput, context: InvocationContext): Promise<AuditSliceResult[]> => Promise.all(input.slices.map((slice) => auditSlice(slice, context))),
  });
  df.app.activity(CHAT_PAGES_ACTIVITY, {
    extraInputs: [df.input.durableClient()],
    handler: async (input: CompletionSegmentInput, context: InvocationContext): Promise<CompletionSegmentResult> => {
      try {
        const result = await collectChatCompletions(services.deps(), progress(context))(input);
        context.log(`chat ${input.collectorId} [${input.segment.lo},${input.segment.hi ?? "top"}): ${result.pages} pages, ${result.rowsWritten} rows, ${result.outcome.kind}${result.done ? ", done" : ""}`);
        return result;
      } catch (error) {
        context.error(`chat ${input.collectorId}: ${unexpected(error).message}`);
        return { outcome: unexpected(error), segment: input.segment, done: false, pages: 0, rowsWritten: 0, again: 0, restarts: 0, newestEventAt: null,
          late: { collected: 0, maxDelaySeconds: null, redelivered: 0 }, listed: { count: 0, newest: null, oldest: null }, models: null, odd: { future: 0, unplaced: [] }, belowNextFloor: null };
      }
    },
  });
  df.app.activity(CHAT_ANCHORS_ACTIVITY, {
    handler: async (input: FindAnchorsInput, context: InvocationContext): Promise<FindAnchorsResult> => {
      try {
        const result = await findChatAnchors(services.deps())(input);
        context.log(`chat ${input.collectorId} anchors by ${input.model}: ${result.pages} pages, ${result.anchors.length} anchors, ${result.end}`);
        return result;
      } catch (error) {
        context.error(`chat ${input.collectorId} anchors: ${unexpected(error).message}`);
        return { outcome: unexpected(error), anchors: [], after: input.after, end: "more", pages: 0 };
      }
    },
  });
  df.app.activity(COMPLIANCE_LOGS_ACTIVITY, {
    extraInputs: [df.input.durableClient()],
    handler: async (input: ComplianceStreamInput, context: InvocationContext): Promise<ComplianceStreamResult> => {
      const what = `compliance ${input.collectorId} ${input.stream.eventType}`;
      try {
        const r = await collectComplianceLogs(services.deps(), {}, progress(context))(input);
        context.log(`${what}: ${r.pages} pages, ${r.files} files, ${r.rowsWritten} rows, ${r.duplicates} duplicates, ${r.outcome.kind}${r.done ? ", caught up" : ""}`);
        return r;
      } catch (error) {
        context.error(`${what}: ${unexpected(error).message}`);
        return { outcome: unexpected(error), cursor: input.cursor, done: false, pages: 0, files: 0, rowsWritten: 0, duplicates: 0, relisted: 0, withheld: 0, newestEventAt: null };
      }
    },
  });
  df.app.activity(USAGE_BUCKETS_ACTIVITY, { handler: usageBucketsHandler(services.deps) });
  const writeHealth = writeConnectorHealth(() => services.deps().writer, { enabled: services.connectorHealthEnabled ?? true });
  df.app.activity(CONNECTOR_HEALTH_ACTIVITY, {
    handler: async (report: HealthReport, context: InvocationContext) => {
      const result = await writeHealth(report);
      if (!result.written) context.warn(`health ${report.collectorId}: not written (${result.reason})`);
      return result;
    },
  });
  df.app.orchestration(COLLECTOR_ORCHESTRATOR, collectorOrchestrator);
  df.app.entity(COLLECTOR_ENTITY, collectorEntity(services.settings));
  df.app.entity(DELIVERY_PROGRESS_ENTITY, progressEntity);
  df.app.entity(COLLECTOR_INDEX_ENTITY, collectorIndexEntity);

  const api = collectorsApi({
    openaiBaseUrl: services.openaiBaseUrl, now: services.now, ...(services.complianceBaseUrl ? { complianceBaseUrl: services.complianceBaseUrl } : {}),
    checkKey: (dataType, secretName) => keyKindProblem(services.deps().secrets, dataType, secretName),
    testConnection: (dataType, secretName, compliance) => testConnection(services.deps(), dataType, secretName, {
      openaiBaseUrl: services.openaiBaseUrl, ...(services.complianceBaseUrl ? { complianceBaseUrl: services.complianceBaseUrl } : {}), ...(compliance ? { compliance } : {}),
    }),
    // A deleted collector's final health row, through the health activity's handler and writer.
    reportHealth: writeHealth,
  });
  const route = (name: string, methods: Array<"GET" | "PUT" | "POST" | "DELETE">, path: string, handler: (r: HttpRequest, c: df.DurableClient, x: InvocationContext) => Promise<HttpResponseInit>) =>
    df.app.client.http(name, { route: path, methods, authLevel: "function", handler });
  route("listCollectors", ["GET"], "collectors", api.list);
  route("getCollector", ["GET"], "collectors/{id}", api.get);
  route("putCollector", ["PUT"], "collectors/{id}", api.put);
  route("deleteCollector", ["DELETE"], "collectors/{id}", api.remove);
  route("startCollector", ["POST"], "collectors/{id}/start", api.start);
  route("stopCollector", ["POST"], "collectors/{id}/stop", api.stop);
  route("resetCollector", ["POST"], "collectors/{id}/reset", api.reset);
  route("testCollector", ["POST"], "collectors/{id}/test", api.test);
  // Outside collectors/ so that no collector id can ever collide with it.
  route("testConnection", ["POST"], "connection-tests", api.testDefinition);
  route("listDataTypes", ["GET"], "data-types", api.dataTypes);
  // The page holds no data or secret (it reads everything through the routes above), so it is anonymous.
  app.http("collectorsPage", { route: "ui", methods: ["GET"], authLevel: "anonymous", handler: pageHandler });
  app.http("collectorsPageAssets", { route: "ui/{*path}", methods: ["GET"], authLevel: "anonymous", handler: assetHandler });

  df.app.client.timer("reconcileCollectors", {
    schedule: RECONCILE_SCHEDULE,
    handler: async (_timer, client, context) => {
      // Every collector, declared or not: one that should run but whose instance ended is revived.
      const actions = await reconcile(client, services.declaredCollectors(), services.now());
      if (Object.keys(actions).length > 0) context.log(`reconciled collectors: ${Object.entries(actions).map(([id, a]) => `${id} ${a}`).join(", ")}`);
    },
  });
}
