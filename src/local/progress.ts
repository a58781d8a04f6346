/** Live progress in the terminal: one line per collector with state, rows, lag and the last error. */
import type { CollectorView } from "../http/collectorView";

function duration(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3_600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** Renders the collectors as a fixed-width table. */
export function renderProgress(collectors: readonly CollectorView[], now: Date): string {
  const header = ["COLLECTOR", "TYPE", "STATE", "ROWS", "LAG", "LAST ERROR"];
  const rows = collectors.map((c) => [c.id, c.dataType, c.status, c.rowsIngested.toLocaleString("en-US"), duration(c.lag), c.lastError ? `${c.lastError.kind}: ${c.lastError.message}`.slice(0, 70) : ""]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [`${now.toISOString().slice(0, 19).replace("T", " ")}  OpenAI → Sentinel, ${collectors.length} collector(s)`, line(header), ...rows.map(line)].join("\n");
}
