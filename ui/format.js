// Pure display helpers: words for states, durations and times, and the grid's sort and filter.
// Nothing here decides anything the API has not said; unknown states and fields are shown as they come.

/** Words and a tone for each state the API reports; an unknown state is shown as it is. */
const STATES = {
  running: ["Running", "good"],
  backingOff: ["Backing off", "warn"],
  unauthorized: ["Unauthorized", "bad"],
  stopping: ["Stopping", "busy"],
  stopped: ["Stopped", "idle"],
  starting: ["Starting", "busy"],
  notRunning: ["Not running", "bad"],
  failed: ["Failed", "bad"],
};

/** `[label, tone]` of a state. */
export function stateLabel(status) {
  return STATES[status] ?? [String(status ?? "unknown"), "other"];
}

/** A number of seconds as "45 s", "12 min", "3.5 h", "2 d". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const s = Math.abs(seconds);
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(s < 10 * 3600 ? 1 : 0)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

/** An ISO time relative to `nowMs`: "3 min ago", "in 40 s"; "–" when absent. */
export function relative(iso, nowMs) {
  if (!iso) return "–";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  const seconds = (ms - nowMs) / 1000;
  if (Math.abs(seconds) < 1) return "now";
  return seconds < 0 ? `${duration(-seconds)} ago` : `in ${duration(seconds)}`;
}

/** An ISO time in UTC as "2026-11-01 00:00:00 UTC". */
export function utc(iso) {
  if (!iso) return "–";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? String(iso) : `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** An ISO time as the value of a `datetime-local` input showing UTC ("2026-11-01T00:00:00"). */
export function toUtcInput(iso) {
  const ms = Date.parse(iso ?? "");
  return Number.isNaN(ms) ? "" : new Date(ms).toISOString().slice(0, 19);
}

/** A `datetime-local` value read as UTC, as the API's ISO-8601 with zone; undefined when empty. */
export function fromUtcInput(value) {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : undefined;
}

/** The grid's columns: key, header, and the value a column sorts by. */
export const COLUMNS = [
  { key: "friendlyName", label: "Name", sortValue: (c) => c.friendlyName.toLowerCase() },
  { key: "dataType", label: "Data type", sortValue: (c, types) => (types[c.dataType]?.label ?? c.dataType).toLowerCase() },
  { key: "url", label: "URL", sortValue: (c) => c.url },
  { key: "status", label: "State", sortValue: (c) => stateLabel(c.status)[0] },
  { key: "rowsIngested", label: "Rows ingested", sortValue: (c) => c.rowsIngested ?? -1 },
  { key: "lag", label: "Lag", sortValue: (c) => c.lag ?? Number.POSITIVE_INFINITY },
  { key: "lastSuccessAt", label: "Last success", sortValue: (c) => c.lastSuccessAt ?? "" },
  { key: "nextRunAt", label: "Next run", sortValue: (c) => c.nextRunAt ?? "" },
  { key: "lastError", label: "Last error", sortValue: (c) => c.lastError?.at ?? "" },
];

/** The collectors sorted by `sort.key` (`sort.dir` "ascending" | "descending"), ties by id. */
export function sorted(collectors, sort, types) {
  const column = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0];
  const sign = sort.dir === "descending" ? -1 : 1;
  return [...collectors].sort((a, b) => {
    const x = column.sortValue(a, types), y = column.sortValue(b, types);
    if (x < y) return -sign;
    if (x > y) return sign;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** The collectors whose shown text contains every word of `text` (case-insensitive). */
export function filtered(collectors, text, types) {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return collectors;
  return collectors.filter((c) => {
    const hay = [c.id, c.friendlyName, c.dataType, types[c.dataType]?.label, c.url, c.status, stateLabel(c.status)[0], c.apiKeySecretName, c.lastError?.kind, c.lastError?.message]
      .filter(Boolean).join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** A field value of the details view as text: objects as indented JSON. */
export function fieldText(value) {
  if (value === null || value === undefined) return "–";
  return typeof value === "object" ? JSON.stringify(value, null, 2) : String(value);
}
