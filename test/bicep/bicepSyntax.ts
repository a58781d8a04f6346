/** A syntax gate for Bicep (the Bicep CLI cannot be installed here): tree-sitter-bicep via WebAssembly. */
import path from "node:path";

interface SyntaxNode { type: string; isError: boolean; isMissing: boolean; startPosition: { row: number; column: number }; children: SyntaxNode[]; text: string }
interface TreeSitter {
  Parser: { init(): Promise<void>; new (): { setLanguage(l: unknown): void; parse(text: string): { rootNode: SyntaxNode } } };
  Language: { load(file: string): Promise<unknown> };
}

let parser: Promise<{ parse(text: string): { rootNode: SyntaxNode } }> | undefined;

async function createParser() {
  // web-tree-sitter publishes its CommonJS build only under `exports.require`, which TypeScript's
  // node10 resolution does not read; load it untyped and describe the two classes used above.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("web-tree-sitter") as TreeSitter;
  await ts.Parser.init();
  const bicep = await ts.Language.load(path.join(path.dirname(require.resolve("tree-sitter-bicep/package.json")), "tree-sitter-bicep.wasm"));
  const p = new ts.Parser();
  p.setLanguage(bicep);
  return p;
}

/** Every ERROR or MISSING node of a Bicep source, as `type@line:column`. */
export async function bicepSyntaxErrors(source: string): Promise<string[]> {
  parser ??= createParser();
  const tree = (await parser).parse(source);
  const problems: string[] = [];
  const walk = (node: SyntaxNode) => {
    if (node.isError || node.isMissing) problems.push(`${node.isMissing ? "MISSING " : ""}${node.type}@${node.startPosition.row + 1}:${node.startPosition.column + 1}`);
    node.children.forEach(walk);
  };
  walk(tree.rootNode);
  return problems;
}
