/**
 * Settings for local runs from `.env` and `local.settings.json` (the Core Tools file), merged under
 * the real environment: a variable already set always wins.
 */
import fs from "node:fs";
import path from "node:path";

/** Parses `KEY=VALUE` lines (quotes stripped, `#` comments and blank lines skipped). */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`.env: cannot read line "${line.slice(0, 60)}" (expected NAME=value)`);
    out[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, "$2");
  }
  return out;
}

/** Reads `.env` and `local.settings.json` (`Values`) from `dir`; the environment wins. */
export function loadLocalSettings(dir: string, env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {};
  const settingsFile = path.join(dir, "local.settings.json");
  if (fs.existsSync(settingsFile)) {
    const parsed = JSON.parse(fs.readFileSync(settingsFile, "utf8")) as { Values?: Record<string, unknown> };
    for (const [k, v] of Object.entries(parsed.Values ?? {})) if (typeof v === "string") merged[k] = v;
  }
  const envFile = path.join(dir, ".env");
  if (fs.existsSync(envFile)) Object.assign(merged, parseDotEnv(fs.readFileSync(envFile, "utf8")));
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  return merged;
}
