/**
 * Derives the audit event type table from OpenAI's OpenAPI document (`openai-openapi.yaml`):
 * every value of `components.schemas.AuditLogEventType`, its scope, whether its payload schema
 * (`AuditLog.properties["<type>"]`) has an `id`, and an example payload built from that schema.
 * Pure: it takes the parsed document, so the script that writes
 * `src/schema/openai-audit-event-types.json` and the test that checks the committed copy share it.
 */

/** One event type as the spec describes it. */
export interface SpecEventType {
  readonly type: string;
  /** `tenant` when the list endpoint returns it only with `tenant_only=true`. */
  readonly scope: "organization" | "tenant";
  /** True when the payload schema declares a string `id` (it becomes `TargetId`). */
  readonly hasId: boolean;
  /** Top-level payload fields the spec declares; null when the spec has no payload schema. */
  readonly fields: readonly string[] | null;
  /** A payload built from the schema (strings `"<field>"`, integers 1, booleans true); null without one. */
  readonly example: Record<string, unknown> | null;
}

/** The generated table. */
export interface SpecEventTypeTable {
  /** `info.version` of the spec it was generated from. */
  readonly specVersion: string;
  readonly types: readonly SpecEventType[];
}

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[]; description?: string };

function exampleOf(schema: Schema, name: string): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case "string": return `<${name}>`;
    case "integer": case "number": return 1;
    case "boolean": return true;
    case "array": return [exampleOf(schema.items ?? { type: "string" }, name)];
    default: {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(schema.properties ?? {})) out[key] = exampleOf(child, key);
      return out;
    }
  }
}

/**
 * Types the spec names as tenant-scoped: every `tenant.*` value, plus the types quoted in the
 * description of the `tenant_only` parameter of `GET /organization/audit_logs` ("Required for
 * tenant-scoped events such as `role.bound_to_resource` and `role.unbound_from_resource`").
 */
function tenantScoped(doc: Record<string, unknown>, all: readonly string[]): Set<string> {
  const op = ((doc.paths as Record<string, Record<string, { parameters?: Array<{ name: string; description?: string }> }>>)["/organization/audit_logs"]?.get);
  const description = op?.parameters?.find((p) => p.name === "tenant_only")?.description ?? "";
  const quoted = [...description.matchAll(/`([a-z_.]+)`/g)].map((m) => m[1]!).filter((t) => all.includes(t));
  return new Set([...all.filter((t) => t.startsWith("tenant.")), ...quoted]);
}

/** Builds the table from a parsed OpenAPI document; throws when the audit log schemas are missing. */
export function eventTypesFromSpec(doc: Record<string, unknown>): SpecEventTypeTable {
  const schemas = (doc.components as { schemas?: Record<string, Schema> } | undefined)?.schemas ?? {};
  const values = schemas.AuditLogEventType?.enum;
  const auditLog = schemas.AuditLog?.properties;
  if (!Array.isArray(values) || !auditLog) throw new Error("the document has no components.schemas.AuditLogEventType enum or AuditLog schema");
  const all = values.map(String);
  const tenant = tenantScoped(doc, all);
  return {
    specVersion: String((doc.info as { version?: string | number } | undefined)?.version ?? "unknown"),
    types: all.map((type) => {
      const payload = auditLog[type];
      const fields = payload ? Object.keys(payload.properties ?? {}) : null;
      return {
        type,
        scope: tenant.has(type) ? "tenant" : "organization",
        hasId: payload?.properties?.id?.type === "string",
        fields,
        example: payload ? (exampleOf(payload, type) as Record<string, unknown>) : null,
      };
    }),
  };
}

/** The table as committed: one type per line, so a regenerated copy diffs type by type. */
export function formatTable(table: SpecEventTypeTable): string {
  return `{\n  "specVersion": ${JSON.stringify(table.specVersion)},\n  "types": [\n${table.types.map((t) => `    ${JSON.stringify(t)}`).join(",\n")}\n  ]\n}\n`;
}
