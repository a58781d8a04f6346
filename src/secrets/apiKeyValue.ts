/**
 * What a secret must hold to be used as an API key, checked when it is read (before any request
 * carries it). The key travels in `Authorization: Bearer <key>`, an HTTP field value; RFC 9110
 * §5.5 allows only visible characters and spaces there, and a bearer token (RFC 6750 §2.1) has no
 * spaces. A key with an inner line break, tab, space, control or non-ASCII character would be
 * altered on the way out (Node drops or mangles such bytes), so OpenAI's echo of it would not
 * match the stored key and could not be scrubbed from error messages: such a secret is refused.
 * So is one shorter than {@link MIN_API_KEY_CHARS}: no OpenAI key is that short, and so short a
 * value cannot be scrubbed from a text without destroying the text.
 */

/**
 * The shortest value accepted as a key, characters. OpenAI's shortest keys, the legacy user keys
 * (`sk-` + 48 characters), are 51; gateway subscription keys (Azure API Management) are 32 hexadecimal digits.
 */
export const MIN_API_KEY_CHARS = 16;

/** One line of visible ASCII (U+0021–U+007E): what a bearer token can carry unchanged. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Why `value` (already trimmed of surrounding whitespace) cannot be an API key, as a sentence about
 * the secret `secretName` — it never contains the value; undefined when it can. Pure.
 */
export function apiKeyValueProblem(secretName: string, value: string): string | undefined {
  if (!VISIBLE_ASCII.test(value)) {
    return `Secret "${secretName}" does not hold a usable API key: it contains a space, line break, control or non-ASCII character. Store the key alone, as one line with nothing around it.`;
  }
  if (value.length < MIN_API_KEY_CHARS) {
    return `Secret "${secretName}" does not hold a usable API key: it is shorter than ${MIN_API_KEY_CHARS} characters (OpenAI keys are far longer). Store the whole key.`;
  }
  return undefined;
}
