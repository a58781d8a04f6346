/**
 * What azd passes to the template from bicep/main.parameters.json: it substitutes `${NAME}` and
 * `${NAME=default}` with the azd environment's values (unset and no default: empty), then reads
 * the JSON (azd docs, "Bicep parameters file"; azd sets AZURE_ENV_NAME, AZURE_LOCATION and
 * AZURE_PRINCIPAL_ID itself). No azd exists here, so this follows its documented rule.
 */
import fs from "node:fs";

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:=([^}]*))?\}/g;

/** The environment variables main.parameters.json reads, with their defaults (undefined: none). */
export function referencedVariables(file: string): Map<string, string | undefined> {
  return new Map([...fs.readFileSync(file, "utf8").matchAll(REFERENCE)].map((m) => [m[1]!, m[2]]));
}

/**
 * Parameter values (`parameters.<name>.value`) azd would send for `env`.
 * Throws a SyntaxError when the substituted text is not JSON (a value that breaks the file).
 */
export function azdParameters(file: string, env: Readonly<Record<string, string>>): Record<string, unknown> {
  const text = fs.readFileSync(file, "utf8").replace(REFERENCE, (_, name: string, fallback: string | undefined) => env[name] ?? fallback ?? "");
  const parsed = JSON.parse(text) as { parameters: Record<string, { value: unknown }> };
  return Object.fromEntries(Object.entries(parsed.parameters).map(([name, p]) => [name, p.value]));
}
