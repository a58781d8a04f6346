/**
 * Shapes of the OpenAI objects this app reads. Every field beyond the ids the code depends on is
 * optional and loosely typed: the API grows fields and event types faster than any schema, and
 * everything unknown is preserved rather than rejected.
 */

/** A JSON object as parsed from the wire. */
export type JsonObject = Record<string, unknown>;

/** One audit log event (`GET /organization/audit_logs`). Required: id, type, effective_at. */
export interface AuditLogEvent extends JsonObject {
  id: string;
  type: string;
  effective_at: number;
  actor?: JsonObject | null;
  project?: JsonObject | null;
}

/** One stored chat completion (`GET /chat/completions`). Required: id, created. */
export interface ChatCompletion extends JsonObject {
  id: string;
  created: number;
  model?: string;
}

/** A list response, whichever envelope the endpoint used. */
export interface ListPage<T> {
  readonly data: T[];
  readonly hasMore: boolean;
  readonly firstId: string | null;
  readonly lastId: string | null;
}

/** Which kind of data a collector reads (the registry in src/collectors/dataTypes.ts). */
export type { DataType } from "../collectors/dataTypes";
