/** JSON responses of the management API. */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { InputProblem } from "../collectors/definitionInput";

/**
 * Largest request body the management API reads, bytes (64 KiB). A collector definition is a few
 * hundred bytes; anything near this is not one, and is refused (413) before it is parsed, so a
 * hostile body cannot cost the worker that runs the collectors its memory.
 */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** A JSON body with a status. */
export function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { "content-type": "application/json" } };
}

/** The error shape: `{"error": {"code", "message"}}`, plus the field when one is at fault. */
export function problem(status: number, code: string, message: string, field?: string): HttpResponseInit {
  return json(status, { error: { code, message, ...(field ? { field } : {}) } });
}

/**
 * A 400 for invalid input: `{"error": {"code": "InvalidField", "message", "field", "details"}}`.
 * `message` and `field` are the first problem's; `details` lists every problem as
 * `{code, field, message}` (the `details` array of the Microsoft REST API Guidelines' error shape),
 * so a form can mark every wrong field after one submit.
 */
export function invalidFields(problems: readonly InputProblem[]): HttpResponseInit {
  const first = problems[0]!;
  return json(400, { error: { code: "InvalidField", message: first.message, field: first.field, details: problems.map((p) => ({ code: "InvalidField", field: p.field, message: p.message })) } });
}

/**
 * The request body as JSON; undefined for an empty body; a 400 response when it is not JSON, a 413
 * when it is larger than {@link MAX_JSON_BODY_BYTES}.
 */
export async function readJsonBody(request: HttpRequest): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BODY_BYTES) return { ok: false, response: tooLarge() };
  const raw = await request.text();
  if (Buffer.byteLength(raw, "utf8") > MAX_JSON_BODY_BYTES) return { ok: false, response: tooLarge() };
  const text = raw.trim();
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: problem(400, "InvalidJson", "The request body is not valid JSON.", "body") };
  }
}

function tooLarge(): HttpResponseInit {
  return problem(413, "PayloadTooLarge", `The request body is larger than ${MAX_JSON_BODY_BYTES} bytes; a collector definition is far smaller.`, "body");
}
