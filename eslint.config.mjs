// Lint rules that carry the project's invariants: no floating promises anywhere, and
// orchestrators stay deterministic (no I/O clients, no Node built-ins, no wall clock, no randomness).
import tseslint from "typescript-eslint";

const nondeterminism = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "Orchestrators read time from context.df.currentUtcDateTime, never Date.now()." },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Orchestrators read time from context.df.currentUtcDateTime, never new Date()." },
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: "Orchestrators must be deterministic: no Math.random()." },
  { selector: "MemberExpression[object.name='process'][property.name='env']", message: "Orchestrators must not read settings; pass them in the orchestration input." },
  { selector: "AwaitExpression", message: "Orchestrators yield durable tasks; they never await." },
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".data/**", ".deploy/**", ".tools/**", "eslint.config.mjs"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "error",
    },
  },
  {
    files: ["orchestrators/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["node:*"], message: "Orchestrators do no I/O: no Node built-ins." },
          { group: ["fs", "path", "http", "https", "net", "crypto", "os", "child_process", "zlib", "timers", "timers/*"], message: "Orchestrators do no I/O: no Node built-ins." },
          { group: ["axios", "axios/*"], message: "Orchestrators do no I/O: HTTP belongs in activities." },
          { group: ["@azure/*", "!@azure/functions"], message: "Orchestrators do no I/O: Azure clients belong in activities." },
          { group: ["**/src/openai/client*", "**/src/sentinel/writer*", "**/src/secrets/*", "**/src/azure/*"], message: "Orchestrators do no I/O." },
        ],
      }],
      "no-restricted-syntax": ["error", ...nondeterminism],
      "no-restricted-globals": ["error", "setTimeout", "setInterval", "setImmediate", "fetch", "process"],
    },
  },
  {
    // The collectors page's browser modules: plain JavaScript served as is (no build step), so no
    // type information; browser globals only.
    files: ["ui/**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: "module",
      parserOptions: { projectService: false },
      globals: Object.fromEntries(["window", "document", "fetch", "sessionStorage", "setTimeout", "clearTimeout", "URL", "Event"].map((g) => [g, "readonly"])),
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, "no-undef": "error" },
  },
  {
    files: ["test/**/*.ts", "scripts/**/*.ts"],
    rules: {
      "no-console": "off",
      // node:test's describe/it return promises the runner itself tracks.
      "@typescript-eslint/no-floating-promises": ["error", { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "before", "after", "beforeEach", "afterEach"] }] }],
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
