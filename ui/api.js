// The page's only way to the app: the management API, exactly as curl users call it.
// In Azure the API needs a function key: after a 401 the page asks for it once and keeps it in
// sessionStorage (this browser tab only, gone when the tab closes), sent as x-functions-key.

const KEY_STORAGE = "openai-sentinel.functionKey";

/** The API root: the page's own scripts live at <root>/ui/, so the API is one level up. */
export const apiRoot = new URL("../", import.meta.url);

/** An API answer: the HTTP status and the parsed JSON body (undefined when there is none). */
export class ApiError extends Error {
  constructor(status, body) {
    const error = body && typeof body === "object" && body.error ? body.error : undefined;
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    this.field = error?.field;
    // Every field problem of a 400 ({field, message}), the first being `field`; one entry otherwise.
    this.details = Array.isArray(error?.details) && error.details.length > 0 ? error.details : error?.field ? [{ field: error.field, message: this.message }] : [];
  }
}

let askForKey = () => Promise.reject(new Error("no key prompt installed"));

/** Installs the function that asks the user for a function key (resolves with it, or rejects on cancel). */
export function onKeyNeeded(prompt) {
  askForKey = prompt;
}

/** Forgets the stored function key. */
export function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
}

async function send(method, path, body) {
  const headers = { accept: "application/json" };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) headers["x-functions-key"] = key;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(new URL(path, apiRoot), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, body: json };
}

/**
 * Calls the management API; resolves with `{status, body}` for 2xx, rejects with {@link ApiError}
 * otherwise. A 401 asks for the function key once, then repeats the call.
 */
export async function api(method, path, body) {
  let answer = await send(method, path, body);
  if (answer.status === 401) {
    const key = await askForKey();
    sessionStorage.setItem(KEY_STORAGE, key);
    answer = await send(method, path, body);
    if (answer.status === 401) forgetKey();
  }
  if (answer.status < 200 || answer.status >= 300) throw new ApiError(answer.status, answer.body);
  return answer;
}
