/** JSON responses of the management API. */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";

/** A JSON body with a status. */
export function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { "content-type": "application/json" } };
}

/** The error shape: `{"error": {"code", "message"}}`, plus the field when one is at fault. */
export function problem(status: number, code: string, message: string, field?: string): HttpResponseInit {
  return json(status, { error: { code, message, ...(field ? { field } : {}) } });
}

/** The request body as JSON; undefined for an empty body; a 400 response when it is not JSON. */
export async function readJsonBody(request: HttpRequest): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const text = (await request.text()).trim();
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: problem(400, "InvalidJson", "The request body is not valid JSON.", "body") };
  }
}
