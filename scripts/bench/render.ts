/** Re-renders BENCHMARKS.md and the chart from `.bench/results.json` (the last `npm run bench`). */
import fs from "node:fs";
import { renderReport, type BenchResults } from "./report";

const results = JSON.parse(fs.readFileSync(".bench/results.json", "utf8")) as BenchResults;
const { markdown, svg } = renderReport(results, `npm run bench${results.quick ? " -- --quick" : ""}`);
fs.writeFileSync("BENCHMARKS.md", markdown);
fs.mkdirSync("docs", { recursive: true });
fs.writeFileSync("docs/throughput-vs-fanout.svg", svg);
process.stdout.write("wrote BENCHMARKS.md and docs/throughput-vs-fanout.svg\n");
