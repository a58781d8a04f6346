/**
 * Secret scrubbing for every text that may leave the process (logs, errors, HTTP answers,
 * orchestration status). Keys are also never placed in errors to begin with; this is the
 * second line of defence for texts that came from elsewhere (server messages, library errors).
 *
 * Scrub a text whole, before cutting it to a length: a cut can leave part of a key that no
 * longer matches the key (see {@link redactThenCut}).
 */

const BEARER = /(Bearer\s+)[^\s"',;]+/gi;
// Key-shaped text, except a bare key-kind prefix such as "sk-admin-…" that messages use to name a
// kind of key (src/collectors/dataTypes.ts): nothing follows its last dash.
const OPENAI_KEY = /\bsk-(?!(?:admin|proj|svcacct)-(?![A-Za-z0-9_*-]))[A-Za-z0-9_*-]{6,}/g;

/**
 * Replaces bearer tokens, OpenAI-style keys and every given secret value in `text`. Every
 * non-empty secret is replaced, however short: API keys are refused at read time unless they are
 * at least 16 visible ASCII characters (src/secrets/apiKeyValue.ts), so no real key is short.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("[REDACTED]");
  return out.replace(BEARER, "$1[REDACTED]").replace(OPENAI_KEY, "sk-[REDACTED]");
}

/** `text` scrubbed ({@link redactSecrets}) and then cut to at most `maxChars` characters (with "…" when cut). */
export function redactThenCut(text: string, maxChars: number, secrets: readonly string[] = []): string {
  const clean = redactSecrets(text, secrets);
  return clean.length > maxChars ? `${clean.slice(0, maxChars)}…` : clean;
}
