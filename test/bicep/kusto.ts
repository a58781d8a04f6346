/** Kusto parsing and semantic analysis (Microsoft's Kusto.Language, compiled to JS) against table schemas. */
// The package defines globals (Bridge, Kusto) when its two scripts are loaded, in this order.
import "@kusto/language-service-next/bridge.min.js";
import "@kusto/language-service-next/Kusto.Language.Bridge.min.js";
import type { ColumnSchema } from "../../src/schema/tables";

interface KustoDiagnostic { Severity: string; Code: string; Message: string; Start: number }
interface KustoColumn { Name: string; Type: { Name: string } }
interface KustoApi {
  Symbols: { TableSymbol: { $ctor7: new (name: string, schema: string, description: string) => unknown }; DatabaseSymbol: { $ctor1: new (name: string, members: unknown[], isOpen: boolean) => unknown } };
  GlobalState: { Default: { WithDatabase(db: unknown): unknown } };
  KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): unknown; ResultType: { Columns?: unknown } | null } };
}

let kusto: { api: KustoApi; toArray: (x: unknown) => KustoDiagnostic[] } | undefined;

function load() {
  if (!kusto) {
    const g = globalThis as unknown as { Kusto: { Language: KustoApi }; Bridge: { toArray: (x: unknown) => KustoDiagnostic[] } };
    kusto = { api: g.Kusto.Language, toArray: (x) => g.Bridge.toArray(x) };
  }
  return kusto;
}

/** Kusto type names of our column types. */
const KUSTO_TYPE: Record<string, string> = { string: "string", int: "int", long: "long", real: "real", boolean: "bool", datetime: "datetime", dynamic: "dynamic" };

/** What Kusto's semantic analysis says about a query. */
export interface KqlAnalysis {
  /** Error diagnostics as `<code> <message> at <offset>`. */
  readonly errors: string[];
  /** Columns of the query's result (name → Kusto type name); empty when the result is not tabular. */
  readonly resultColumns: Record<string, string>;
}

/** Parses and analyses `query` against tables named with their columns. */
export function kqlAnalysis(query: string, tables: Record<string, readonly Pick<ColumnSchema, "name" | "type">[]>): KqlAnalysis {
  const { api, toArray } = load();
  const symbols = Object.entries(tables).map(([name, columns]) =>
    new api.Symbols.TableSymbol.$ctor7(name, `(${columns.map((c) => `['${c.name}']: ${KUSTO_TYPE[c.type]}`).join(", ")})`, ""));
  const globals = api.GlobalState.Default.WithDatabase(new api.Symbols.DatabaseSymbol.$ctor1("workspace", symbols, false));
  const code = api.KustoCode.ParseAndAnalyze(query, globals);
  const errors = toArray(code.GetDiagnostics()).filter((d) => d.Severity === "Error").map((d) => `${d.Code} ${d.Message} at ${d.Start}`);
  const columns = code.ResultType?.Columns ? (toArray(code.ResultType.Columns) as unknown as KustoColumn[]) : [];
  return { errors, resultColumns: Object.fromEntries(columns.map((c) => [c.Name, c.Type.Name])) };
}

/** Errors Kusto reports for `query` against tables named with their columns. */
export function kqlErrors(query: string, tables: Record<string, readonly Pick<ColumnSchema, "name" | "type">[]>): string[] {
  return kqlAnalysis(query, tables).errors;
}
