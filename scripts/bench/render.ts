/** Re-renders BENCHMARKS.md and the chart from `.bench/results.json` (the last `npm run bench`). */
import fs from "node:fs";
import { renderReport, type BenchResults } from "./report";

const results = JSON.parse(fs.readFileSync(".bench/results.json", "utf8")) as BenchResults;
const { markdown, svg, chatSvg } = renderReport(results, `npm run bench${results.quick ? " -- --quick" : ""}`);
fs.writeFileSync("BENCHMARKS.md", markdown);
fs.mkdirSync("docs", { recursive: true });
fs.writeFileSync("docs/throughput-vs-fanout.svg", svg);
if (chatSvg) fs.writeFileSync("docs/chat-throughput-vs-sweeps.svg", chatSvg);
process.stdout.write("wrote BENCHMARKS.md and the charts in docs/\n");
