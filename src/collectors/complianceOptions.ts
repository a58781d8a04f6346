/**
 * Validation of the `compliance` part of a collector body (dataType `complianceLogs`): which
 * ChatGPT workspace and/or API Platform organization, which event types, the opt-in for
 * conversation messages, and the late-file overlap. Field errors name `compliance.<field>`.
 * Id shapes: a workspace id is a UUID, an organization id `org-…` (chatgpt-compliance-api.md §1.1,
 * as OpenAI's cookbook and Gram's client tell them apart).
 */
import { z } from "zod";
import { EVENT_TYPE_PATTERN } from "../compliance/eventTypes";
import { resolveStreams, type ComplianceOptions } from "../compliance/streams";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ORG_ID = /^org-[A-Za-z0-9_-]+$/;

/** `compliance` of PUT /api/collectors/{id}. */
export const complianceOptionsSchema = z.strictObject({
  workspaceId: z.string().regex(UUID, "must be a ChatGPT workspace id (a UUID, as in chatgpt.com/admin)").optional(),
  organizationId: z.string().regex(ORG_ID, "must be an API Platform organization id (org-...)").optional(),
  eventTypes: z.array(z.string().regex(EVENT_TYPE_PATTERN, "must be event type names in upper case, e.g. AUTH_LOG"))
    .min(1, "must name at least one event type (leave it out to collect every default type)").max(32, "must name at most 32 event types")
    .refine((types) => new Set(types).size === types.length, "must not name an event type twice").optional(),
  includeConversationMessages: z.boolean({ message: "must be true or false" }).optional(),
  overlapSeconds: z.number().int("must be a whole number").min(0, "must be at least 0").max(86_400, "must be at most 86400").optional(),
});

/**
 * Adds an issue when the data type and the `compliance` part do not fit together: required for
 * complianceLogs (and resolvable into streams), not allowed for other data types.
 */
export function checkComplianceFields(body: { dataType: string; compliance?: ComplianceOptions | undefined }, ctx: z.RefinementCtx): void {
  if (body.dataType !== "complianceLogs") {
    if (body.compliance !== undefined) ctx.addIssue({ code: "custom", path: ["compliance"], message: `is only for dataType "complianceLogs"` });
    return;
  }
  if (body.compliance === undefined) {
    ctx.addIssue({ code: "custom", path: ["compliance"], message: "is required for dataType complianceLogs: {\"workspaceId\": \"<ChatGPT workspace UUID>\"} and/or {\"organizationId\": \"org-...\"}" });
    return;
  }
  const resolved = resolveStreams(body.compliance);
  if ("problem" in resolved) ctx.addIssue({ code: "custom", path: resolved.problem.field.split("."), message: resolved.problem.message });
}
