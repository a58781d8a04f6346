/**
 * Actor columns from whatever actor shape an audit event carries. The spec's `AuditLogActor`
 * has `type` (`session` or `api_key`) and an object under the key of that name; OpenAI's
 * examples add session fields (user agent, JA3/JA4, IP details). Tenant-scoped events may use
 * other actor types, so the object named by `actor.type` is read generically: a `user`, a
 * `service_account`, or the object itself when the type names one of those. Pure.
 */
import { asObject, asString, own, pick } from "./common";
import type { JsonObject } from "../openai/types";

/** The flattened actor columns of `OpenAIAuditLogs_CL` (undefined where the event has no value). */
export interface ActorColumns {
  readonly ActorType: string | undefined;
  readonly ActorApiKey: JsonObject | null;
  readonly ActorSession: JsonObject | null;
  readonly ActorUserId: string | undefined;
  readonly ActorUserEmail: string | undefined;
  readonly ActorIpAddress: string | undefined;
  readonly ActorUserAgent: string | undefined;
  readonly ActorCountry: string | undefined;
  readonly ActorRegion: string | undefined;
  readonly ActorCity: string | undefined;
  readonly ActorAsn: string | undefined;
  readonly ActorJa3: string | undefined;
  readonly ActorJa4: string | undefined;
  readonly ActorApiKeyId: string | undefined;
  readonly ActorApiKeyType: string | undefined;
  readonly ActorServiceAccountId: string | undefined;
}

/** Maps `event.actor` (any shape, or null) to the actor columns. */
export function actorColumns(actorValue: unknown): ActorColumns {
  const actor = asObject(actorValue);
  const type = asString(actor?.type);
  const session = asObject(actor?.session);
  const apiKey = asObject(actor?.api_key);
  // The object named by the actor's type, e.g. {type: "user", user: {...}}; session and api_key included.
  const named = type !== undefined && actor ? asObject(own(actor, type)) : undefined;
  const user = asObject(session?.user) ?? asObject(apiKey?.user) ?? asObject(named?.user) ?? asObject(actor?.user) ?? (type === "user" ? named : undefined);
  const serviceAccount = asObject(apiKey?.service_account) ?? asObject(named?.service_account) ?? asObject(actor?.service_account) ?? (type === "service_account" ? named : undefined);
  const withSession = session ?? named;
  const geo = asObject(withSession?.ip_address_details);
  return {
    ActorType: type,
    ActorApiKey: apiKey ?? null,
    ActorSession: session ?? null,
    ActorUserId: asString(user?.id),
    ActorUserEmail: asString(user?.email),
    ActorIpAddress: asString(withSession?.ip_address),
    ActorUserAgent: asString(withSession?.user_agent),
    ActorCountry: asString(geo?.country),
    ActorRegion: asString(geo?.region),
    ActorCity: asString(geo?.city),
    ActorAsn: asString(geo?.asn),
    ActorJa3: asString(withSession?.ja3),
    ActorJa4: asString(withSession?.ja4),
    ActorApiKeyId: asString(apiKey?.id),
    ActorApiKeyType: asString(apiKey?.type),
    ActorServiceAccountId: asString(serviceAccount?.id ?? pick(apiKey, "service_account", "id")),
  };
}
