/**
 * The deployment, proven by the real Bicep CLI: every template builds and lints with zero
 * diagnostics, and `bicep snapshot` (the compiler's evaluation of main.bicep for the parameters
 * azd passes from main.parameters.json) shows what Azure would be asked to create, in three
 * situations a new user meets. Checks read that compiled output, never the Bicep source.
 * Where the CLI cannot be had (no dotnet) each part is skipped with one line; .ci/run sets
 * REQUIRE_REAL_TOOLS=1, which makes it fail instead.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { parseDeclaredCollectors } from "../../src/collectors/reconcile";
import { loadConfig } from "../../src/config";
import { productionServices } from "../../src/functions/production";
import type { TableSchema } from "../../src/schema/tables";
import { azdParameters, referencedVariables } from "./azdParameters";
import { build, buildAll, findBicep, lintAll, snapshot, type PredictedResource, type Snapshot, type SnapshotScope } from "./bicepCli";
import { missingTool } from "../support/realTools";

const ROOT = path.resolve(__dirname, "../../..");
const MAIN = path.join(ROOT, "bicep", "main.bicep");
const PARAMETERS = path.join(ROOT, "bicep", "main.parameters.json");
const bicep = findBicep();

/** Built-in role definition ids, from Microsoft's "Azure built-in roles" reference (not from our templates). */
const ROLE = {
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  storageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
};

/** Every table file in src/schema: whatever tables are added later are checked the same way. */
const SCHEMA_DIR = path.join(ROOT, "src", "schema");
const TABLE_FILES: TableSchema[] = fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith(".table.json")).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, f), "utf8")) as TableSchema);
/** Tables deployed only when their switch is on: the connector health table (deployHealthTable). */
const OPTIONAL_TABLES = ["OpenAIConnectorHealth_CL"];
/** The tables API spells this one column type differently from DCR stream declarations. */
const TABLE_COLUMN_TYPE: Record<string, string> = { datetime: "dateTime" };

/** Sentinel content files (content/<kind>/*), which the templates must all deploy. */
const content = <T>(kind: string) => fs.readdirSync(path.join(ROOT, "content", kind)).sort().map((f) => parseYaml(fs.readFileSync(path.join(ROOT, "content", kind, f), "utf8")) as T);
const RULES = content<{ id: string }>("AnalyticRules");
const HUNTING = content<{ id: string }>("HuntingQueries");
const PARSERS = content<{ FunctionAlias: string; FunctionQuery: string; Category: string; Function: { Title: string } }>("Parsers");
/** The aliases Microsoft's OpenAI solution also defines, as savedSearches named after the alias (its Package/mainTemplate.json). */
const MICROSOFT_ALIASES = ["OpenAIAuditLogs", "OpenAIChatCompletions"];

const SCOPE: SnapshotScope = { tenantId: "72f988bf-0000-4000-8000-000000000001", subscriptionId: "6a1b2c3d-0000-4000-8000-000000000002", resourceGroup: "rg-openai-connector", location: "swedencentral" };
const DEPLOYER = "5e5e5e5e-0000-4000-8000-0000000000aa";
const rg = (group: string) => `/subscriptions/${SCOPE.subscriptionId}/resourceGroups/${group}`;

/** The three situations: what the user sets with `azd env set` (azd itself sets the AZURE_* ones). */
const SITUATIONS = {
  /** A first try: nothing set, so a new Sentinel workspace and a new vault. */
  newEverything: { AZURE_ENV_NAME: "trial", AZURE_LOCATION: SCOPE.location, AZURE_PRINCIPAL_ID: DEPLOYER },
  /** The SOC's existing Sentinel workspace in another group (and region), an existing vault, Microsoft's parsers kept. */
  existingWorkspace: { AZURE_ENV_NAME: "prod", AZURE_LOCATION: SCOPE.location, SENTINEL_WORKSPACE_NAME: "soc-sentinel", SENTINEL_WORKSPACE_RESOURCE_GROUP: "rg-soc",
    OPENAI_KEY_VAULT_NAME: "kv-soc-openai", DEPLOY_PARSERS: "false" },
  /** A platform team: existing plain workspace to onboard, shared telemetry workspace, purge protection, a pipeline identity, own collectors, no content or health table. */
  platformTeam: { AZURE_ENV_NAME: "plat", AZURE_LOCATION: SCOPE.location, AZURE_PRINCIPAL_ID: DEPLOYER, AZURE_PRINCIPAL_TYPE: "ServicePrincipal",
    SENTINEL_WORKSPACE_NAME: "law-central", SENTINEL_ENABLE_ON_EXISTING_WORKSPACE: "true", KEY_VAULT_PURGE_PROTECTION: "true",
    DEPLOY_HEALTH_TABLE: "false", DEPLOY_ANALYTIC_RULES: "false", DEPLOY_HUNTING_QUERIES: "false", DEPLOY_WORKBOOK: "false", ENTRA_CLIENT_ID: "0d3a1b2c-0000-4000-8000-0000000000e1",
    TELEMETRY_WORKSPACE_RESOURCE_ID: `${rg("rg-monitoring")}/providers/Microsoft.OperationalInsights/workspaces/law-telemetry`,
    OPENAI_COLLECTORS: JSON.stringify([{ id: "org-audit", dataType: "auditLogs", friendlyName: "Org audit", apiKeySecretName: "admin-key", pollIntervalSeconds: 120 }]) },
} satisfies Record<string, Record<string, string>>;
type Situation = keyof typeof SITUATIONS;

const byType = (s: Snapshot, type: string) => s.predictedResources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
const one = (s: Snapshot, type: string, where: (r: PredictedResource) => boolean = () => true): PredictedResource => {
  const found = byType(s, type).filter(where);
  assert.equal(found.length, 1, `exactly one ${type}, found ${found.map((r) => r.id).join(", ") || "none"}`);
  return found[0]!;
};
// Snapshot properties are JSON whose shape each check asserts as a whole.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const props = (r: PredictedResource) => r.properties as Record<string, any>;
const workspaceId = (group: string, name: string) => `${rg(group)}/providers/Microsoft.OperationalInsights/workspaces/${name}`;
const referenceTo = (id: string, apiVersion: string, property: string, full = false) => `[reference('${id}', '${apiVersion}'${full ? ", 'full'" : ""}).${property}]`;

/** The Sentinel workspace each situation must write to. */
function sentinelWorkspace(situation: Situation, s: Snapshot): string {
  const env = SITUATIONS[situation] as Record<string, string>;
  if (env.SENTINEL_WORKSPACE_NAME) return workspaceId(env.SENTINEL_WORKSPACE_RESOURCE_GROUP ?? SCOPE.resourceGroup, env.SENTINEL_WORKSPACE_NAME);
  return one(s, "Microsoft.OperationalInsights/workspaces", (r) => !r.name.includes("telemetry")).id;
}

/** Setting names the deployed code reads at start-up (its composition root, through a recording env) and host.json's %NAME% settings. */
function settingsTheAppReads(): string[] {
  const read = new Set<string>();
  // The storage setting is one the Functions host needs anyway; with it the app reads no storage fallback.
  const sample: Record<string, string> = { KEY_VAULT_URI: "https://kv.vault.azure.net", LOGS_INGESTION_ENDPOINT: "https://dce.swedencentral-1.ingest.monitor.azure.com", DCR_IMMUTABLE_ID: `dcr-${"0".repeat(32)}`,
    AzureWebJobsStorage__tableServiceUri: "https://st.table.core.windows.net" };
  const env = new Proxy(sample, { get: (target, key) => { if (typeof key === "string") read.add(key); return target[key as string]; } });
  productionServices(loadConfig(env), env);
  for (const m of fs.readFileSync(path.join(ROOT, "host.json"), "utf8").matchAll(/%([A-Za-z0-9_]+)%/g)) read.add(m[1]!);
  return [...read].sort();
}

describe("Bicep templates", { concurrency: false }, () => {
  if (!bicep.available) {
    it("need the Bicep CLI", (t) => missingTool(t, "bicep CLI", bicep.why));
    return;
  }
  const cli = bicep.tool;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bicep-build-"));
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  let built: ReturnType<typeof buildAll> = [];
  let linted: ReturnType<typeof lintAll> = [];
  const snapshots = {} as Record<Situation, Snapshot>;
  before(() => {
    built = buildAll(cli, "bicep", out);
    linted = lintAll(cli, "bicep");
    for (const situation of Object.keys(SITUATIONS) as Situation[]) snapshots[situation] = snapshot(cli, MAIN, azdParameters(PARAMETERS, SITUATIONS[situation]), SCOPE);
  });

  describe("build and lint", () => {
    it("bicep build compiles every template to ARM JSON with zero diagnostics", () => {
      assert.deepEqual(built, []);
      const sources = fs.readdirSync(path.join(ROOT, "bicep"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".bicep")).sort();
      assert.deepEqual(sources.filter((f) => !fs.existsSync(path.join(out, f.replace(/\.bicep$/, ".json")))), []);
      assert.ok(sources.length >= 10, sources.join(", "));
    });
    it("bicep lint reports nothing on any template", () => {
      assert.deepEqual(linted, []);
    });
    it("the gate reports a wrong property name, a hard-coded region and an unused parameter", () => {
      const file = path.join(out, "wrong.bicep");
      fs.writeFileSync(file, [
        "param unused string",
        "resource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
        "  name: 'stgate${uniqueString(resourceGroup().id)}'",
        "  location: 'westeurope'",
        "  kind: 'StorageV2'",
        "  sku: { name: 'Standard_LRS' }",
        "  properties: { allowSharedKeyAcess: false }",
        "}",
      ].join("\n"));
      const codes = build(cli, file, path.join(ROOT, "bicep", "bicepconfig.json")).diagnostics.map((d) => `${d.level} ${d.code}`).sort();
      assert.deepEqual(codes, ["Error no-hardcoded-location", "Error no-unused-params", "Warning BCP089"]);
    });
  });

  describe("source conventions the compiler does not check", () => {
    // Content is data loaded from content/; a query written into a template would escape its checks.
    it("no template holds a query", () => {
      const sources = fs.readdirSync(path.join(ROOT, "bicep"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".bicep"));
      const queryLike = sources.flatMap((f) => [...fs.readFileSync(path.join(ROOT, "bicep", f), "utf8").matchAll(/'([^'\n]*)'/g)].map((m) => m[1]!)).filter((text) => /\|\s*(where|extend|summarize|project)\b/.test(text));
      assert.deepEqual(queryLike, []);
    });
  });

  describe("main.parameters.json", () => {
    const template = () => JSON.parse(fs.readFileSync(path.join(out, "main.json"), "utf8")) as { parameters: Record<string, { type: string }> };
    // `tags` is an object: azd's substitution cannot give an object a default, so it is set with -p on the CLI path only.
    const NOT_MAPPED = ["tags"];
    it("maps every template parameter but tags to an azd environment variable", () => {
      const mapped = Object.keys(azdParameters(PARAMETERS, {})).sort();
      assert.deepEqual(mapped, Object.keys(template().parameters).filter((p) => !NOT_MAPPED.includes(p)).sort());
    });
    it("gives each parameter a value of the template's type, from the defaults alone", () => {
      const values = azdParameters(PARAMETERS, { AZURE_ENV_NAME: "x", AZURE_LOCATION: "x" });
      const jsonType = (v: unknown) => (Array.isArray(v) ? "array" : typeof v === "number" ? "int" : typeof v === "boolean" ? "bool" : typeof v);
      const mismatched = Object.entries(values).filter(([name, v]) => jsonType(v) !== template().parameters[name]!.type.toLowerCase()).map(([name, v]) => `${name}: ${JSON.stringify(v)}`);
      assert.deepEqual(mismatched, []);
    });
    it("has a default for every variable azd does not set itself", () => {
      const withoutDefault = [...referencedVariables(PARAMETERS)].filter(([, d]) => d === undefined).map(([n]) => n);
      assert.deepEqual(withoutDefault.sort(), ["AZURE_ENV_NAME", "AZURE_LOCATION"]);
    });
  });

  describe("what azd would deploy", () => {
    it("the compiler evaluates every situation without diagnostics", () => {
      for (const [situation, s] of Object.entries(snapshots)) assert.deepEqual(s.diagnostics, [], situation);
    });

    it("puts the DCE and DCR in the Sentinel workspace's region, whatever region the app is in", () => {
      const locations = (s: Snapshot) => ["Microsoft.Insights/dataCollectionEndpoints", "Microsoft.Insights/dataCollectionRules", "Microsoft.Insights/workbooks"].map((t) => one(s, t).location);
      const created = snapshots.newEverything;
      const createdWorkspace = one(created, "Microsoft.OperationalInsights/workspaces", (r) => r.id === sentinelWorkspace("newEverything", created));
      assert.deepEqual(locations(created), [createdWorkspace.location, createdWorkspace.location, createdWorkspace.location]);
      // An existing workspace's region is read from the workspace itself when the deployment runs.
      const existing = snapshots.existingWorkspace;
      const itsRegion = referenceTo(workspaceId("rg-soc", "soc-sentinel"), "2023-09-01", "location", true);
      assert.deepEqual(locations(existing), [itsRegion, itsRegion, itsRegion]);
      assert.equal(one(existing, "Microsoft.Web/sites").location, SCOPE.location);
      assert.equal(existing.outputs.DATA_COLLECTION_LOCATION, itsRegion);
    });

    it("enables Microsoft Sentinel on a workspace it creates, and on an existing one only when asked", () => {
      const onboarded = (s: Snapshot) => byType(s, "Microsoft.SecurityInsights/onboardingStates").map((r) => r.id);
      assert.deepEqual(
        { newEverything: onboarded(snapshots.newEverything), existingWorkspace: onboarded(snapshots.existingWorkspace), platformTeam: onboarded(snapshots.platformTeam) },
        {
          newEverything: [`${sentinelWorkspace("newEverything", snapshots.newEverything)}/providers/Microsoft.SecurityInsights/onboardingStates/default`],
          existingWorkspace: [],
          platformTeam: [`${workspaceId(SCOPE.resourceGroup, "law-central")}/providers/Microsoft.SecurityInsights/onboardingStates/default`],
        });
    });

    it("sends the app's own telemetry to a workspace of its own, or to the one chosen, never to the Sentinel workspace", () => {
      for (const situation of ["newEverything", "existingWorkspace"] as const) {
        const s = snapshots[situation];
        const telemetry = one(s, "Microsoft.OperationalInsights/workspaces", (r) => r.name.includes("telemetry"));
        assert.deepEqual({ workspace: props(one(s, "Microsoft.Insights/components")).WorkspaceResourceId, retention: props(telemetry).retentionInDays },
          { workspace: telemetry.id, retention: 30 }, situation);
        assert.notEqual(telemetry.id, sentinelWorkspace(situation, s));
      }
      const platform = snapshots.platformTeam;
      assert.equal(props(one(platform, "Microsoft.Insights/components")).WorkspaceResourceId, SITUATIONS.platformTeam.TELEMETRY_WORKSPACE_RESOURCE_ID);
      assert.deepEqual(byType(platform, "Microsoft.OperationalInsights/workspaces"), []);
    });

    it("creates a vault without purge protection unless asked, and reuses an existing vault untouched", () => {
      const vaults = (s: Snapshot) => byType(s, "Microsoft.KeyVault/vaults").map((r) => ({ name: r.name, rbac: props(r).enableRbacAuthorization, purgeProtection: props(r).enablePurgeProtection ?? null }));
      assert.deepEqual(vaults(snapshots.newEverything), [{ name: snapshots.newEverything.outputs.KEY_VAULT_NAME, rbac: true, purgeProtection: null }]);
      assert.deepEqual(vaults(snapshots.existingWorkspace), []);
      assert.equal(snapshots.existingWorkspace.outputs.KEY_VAULT_NAME, "kv-soc-openai");
      assert.deepEqual(vaults(snapshots.platformTeam), [{ name: snapshots.platformTeam.outputs.KEY_VAULT_NAME, rbac: true, purgeProtection: true }]);
    });

    it("grants the documented roles at the right scopes: the app's identity everywhere it works, the deployer Secrets Officer on a new vault", () => {
      const grants = (s: Snapshot) => {
        const identity = one(s, "Microsoft.ManagedIdentity/userAssignedIdentities").id;
        const appIdentity = referenceTo(identity, "2023-01-31", "principalId");
        const scopeOf = (id: string) => {
          const scope = id.slice(0, id.indexOf("/providers/Microsoft.Authorization/roleAssignments/"));
          const resource = s.predictedResources.find((r) => r.id === scope);
          return resource ? resource.type : scope;
        };
        return byType(s, "Microsoft.Authorization/roleAssignments").map((r) => {
          const p = props(r);
          const role = Object.entries(ROLE).find(([, id]) => p.roleDefinitionId === `/subscriptions/${SCOPE.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`)?.[0] ?? p.roleDefinitionId;
          return `${scopeOf(r.id)} ${role} ${p.principalId === appIdentity ? "app" : p.principalId} ${p.principalType}`;
        }).sort();
      };
      const app = [
        "Microsoft.Insights/components monitoringMetricsPublisher app ServicePrincipal",
        "Microsoft.Insights/dataCollectionRules monitoringMetricsPublisher app ServicePrincipal",
        "Microsoft.Storage/storageAccounts storageBlobDataOwner app ServicePrincipal",
        "Microsoft.Storage/storageAccounts storageQueueDataContributor app ServicePrincipal",
        "Microsoft.Storage/storageAccounts storageTableDataContributor app ServicePrincipal",
      ];
      assert.deepEqual(grants(snapshots.newEverything), [...app, "Microsoft.KeyVault/vaults keyVaultSecretsOfficer " + DEPLOYER + " User", "Microsoft.KeyVault/vaults keyVaultSecretsUser app ServicePrincipal"].sort());
      assert.deepEqual(grants(snapshots.existingWorkspace), [...app, `${rg(SCOPE.resourceGroup)}/providers/Microsoft.KeyVault/vaults/kv-soc-openai keyVaultSecretsUser app ServicePrincipal`].sort());
      assert.deepEqual(grants(snapshots.platformTeam), [...app, "Microsoft.KeyVault/vaults keyVaultSecretsOfficer " + DEPLOYER + " ServicePrincipal", "Microsoft.KeyVault/vaults keyVaultSecretsUser app ServicePrincipal"].sort());
    });

    it("puts Entra ID sign-in in front of the app only when a client id is set, for the deployment's tenant by default", () => {
      const signIn = (s: Snapshot) => byType(s, "Microsoft.Web/sites/config").filter((r) => r.name.endsWith("/authsettingsV2"))
        .map((r) => ({ app: r.id.split("/config/")[0], registration: props(r).identityProviders.azureActiveDirectory.registration, required: props(r).globalValidation.requireAuthentication }));
      assert.deepEqual([signIn(snapshots.newEverything), signIn(snapshots.existingWorkspace)], [[], []]);
      assert.deepEqual(signIn(snapshots.platformTeam), [{ app: one(snapshots.platformTeam, "Microsoft.Web/sites").id, required: true,
        // The snapshot leaves the cloud's login endpoint to deployment time; the tenant is the deployment's.
        registration: { openIdIssuer: `[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, '${SCOPE.tenantId}')]`, clientId: SITUATIONS.platformTeam.ENTRA_CLIENT_ID } }]);
    });

    it("runs the app on Node.js 22 on Flex Consumption, with no setting Flex rejects", () => {
      for (const s of Object.values(snapshots)) {
        const site = props(one(s, "Microsoft.Web/sites"));
        assert.deepEqual(site.functionAppConfig.runtime, { name: "node", version: "22" });
        assert.deepEqual(one(s, "Microsoft.Web/serverfarms").sku, { tier: "FlexConsumption", name: "FC1" });
        const settings = Object.keys(props(one(s, "Microsoft.Web/sites/config", (r) => r.name.endsWith("/appsettings"))));
        assert.deepEqual(settings.filter((k) => ["FUNCTIONS_WORKER_RUNTIME", "WEBSITE_RUN_FROM_PACKAGE", "AzureWebJobsStorage"].includes(k)), []);
      }
    });

    it("sets every setting the code reads, wired to the resources it names, and the app accepts them", () => {
      for (const [situation, s] of Object.entries(snapshots) as [Situation, Snapshot][]) {
        const settings = props(one(s, "Microsoft.Web/sites/config", (r) => r.name.endsWith("/appsettings"))) as Record<string, string>;
        assert.deepEqual(settingsTheAppReads().filter((name) => !(name in settings)), [], situation);
        const id = (type: string) => one(s, type).id;
        assert.deepEqual(
          { KEY_VAULT_URI: settings.KEY_VAULT_URI, LOGS_INGESTION_ENDPOINT: settings.LOGS_INGESTION_ENDPOINT, DCR_IMMUTABLE_ID: settings.DCR_IMMUTABLE_ID, AZURE_CLIENT_ID: settings.AZURE_CLIENT_ID },
          {
            KEY_VAULT_URI: referenceTo(situation === "existingWorkspace" ? `${rg(SCOPE.resourceGroup)}/providers/Microsoft.KeyVault/vaults/kv-soc-openai` : id("Microsoft.KeyVault/vaults"), "2024-11-01", "vaultUri"),
            LOGS_INGESTION_ENDPOINT: referenceTo(id("Microsoft.Insights/dataCollectionEndpoints"), "2023-03-11", "logsIngestion.endpoint"),
            DCR_IMMUTABLE_ID: referenceTo(id("Microsoft.Insights/dataCollectionRules"), "2023-03-11", "immutableId"),
            AZURE_CLIENT_ID: referenceTo(id("Microsoft.ManagedIdentity/userAssignedIdentities"), "2023-01-31", "clientId"),
          }, situation);
        // What Azure fills in at deployment, as the app would receive it; every other value is the template's own.
        const deployed = { ...settings, KEY_VAULT_URI: "https://kv.vault.azure.net/", LOGS_INGESTION_ENDPOINT: "https://dce-x.swedencentral-1.ingest.monitor.azure.com", DCR_IMMUTABLE_ID: `dcr-${"a".repeat(32)}`, AZURE_CLIENT_ID: "00000000-0000-4000-8000-000000000009",
          AzureWebJobsStorage__tableServiceUri: "https://stx.table.core.windows.net/" };
        assert.doesNotThrow(() => productionServices(loadConfig(deployed), deployed), situation);
      }
      const ids = (s: Snapshot) => parseDeclaredCollectors((props(one(s, "Microsoft.Web/sites/config", (r) => r.name.endsWith("/appsettings"))) as Record<string, string>).COLLECTORS).map((c) => `${c.id} ${c.dataType} ${c.apiKeySecretName}`);
      assert.deepEqual(ids(snapshots.newEverything), ["audit-logs auditLogs openai-admin-key", "chat-completions chatCompletions openai-project-key", "usage usage openai-admin-key", "costs costs openai-admin-key"]);
      assert.deepEqual(ids(snapshots.platformTeam), ["org-audit auditLogs admin-key"]);
      const health = (s: Snapshot) => (props(one(s, "Microsoft.Web/sites/config", (r) => r.name.endsWith("/appsettings"))) as Record<string, string>).CONNECTOR_HEALTH_ENABLED;
      assert.deepEqual([health(snapshots.newEverything), health(snapshots.platformTeam)], ["True", "False"]);
    });

    it("creates each table of src/schema with its columns, and a DCR stream with the same columns flowing into it", () => {
      for (const [situation, s] of Object.entries(snapshots) as [Situation, Snapshot][]) {
        const workspace = sentinelWorkspace(situation, s);
        // In table-name order: the templates deploy the data tables first, the optional ones after them.
        const deployed = TABLE_FILES.filter((t) => situation !== "platformTeam" || !OPTIONAL_TABLES.includes(t.tableName)).sort((a, b) => a.tableName.localeCompare(b.tableName));
        const tables = byType(s, "Microsoft.OperationalInsights/workspaces/tables").map((t) => ({ id: t.id, retention: props(t).retentionInDays, columns: props(t).schema.columns })).sort((a, b) => a.id.localeCompare(b.id));
        assert.deepEqual(tables, deployed.map((t) => ({ id: `${workspace}/tables/${t.tableName}`, retention: t.retentionInDays,
          columns: t.columns.map((c) => ({ name: c.name, type: TABLE_COLUMN_TYPE[c.type] ?? c.type, description: c.description })) })), situation);
        const dcr = props(one(s, "Microsoft.Insights/dataCollectionRules"));
        assert.deepEqual(dcr.streamDeclarations, Object.fromEntries(deployed.map((t) => [t.streamName, { columns: t.columns.map((c) => ({ name: c.name, type: c.type })) }])), situation);
        assert.deepEqual(dcr.destinations, { logAnalytics: [{ name: "workspace", workspaceResourceId: workspace }] }, situation);
        const flows = [...(dcr.dataFlows as Array<{ outputStream: string }>)].sort((a, b) => a.outputStream.localeCompare(b.outputStream));
        assert.deepEqual(flows, deployed.map((t) => ({ streams: [t.streamName], destinations: ["workspace"], transformKql: "source", outputStream: t.streamName })), situation);
        assert.equal(dcr.dataCollectionEndpointId, one(s, "Microsoft.Insights/dataCollectionEndpoints").id);
      }
    });

    it("defines every parser of content/Parsers; the two Microsoft's solution defines keep its resource names, so they replace its functions instead of clashing", () => {
      const parsers = (s: Snapshot) => byType(s, "Microsoft.OperationalInsights/workspaces/savedSearches").filter((r) => props(r).category === "Microsoft Sentinel Parser")
        .map((r) => ({ id: r.id, category: props(r).category, displayName: props(r).displayName, functionAlias: props(r).functionAlias, query: props(r).query }));
      const expected = (situation: Situation, s: Snapshot) => PARSERS.filter((p) => situation !== "existingWorkspace" || !MICROSOFT_ALIASES.includes(p.FunctionAlias)).map((p) => ({
        id: `${sentinelWorkspace(situation, s)}/savedSearches/${MICROSOFT_ALIASES.includes(p.FunctionAlias) ? p.FunctionAlias : `openai-sentinel-connector-${p.FunctionAlias}`}`,
        // Bicep's loadYamlContent drops a block scalar's final line break; YAML keeps it.
        category: p.Category, displayName: p.Function.Title, functionAlias: p.FunctionAlias, query: p.FunctionQuery.replace(/\n$/, "") }));
      for (const [situation, s] of Object.entries(snapshots) as [Situation, Snapshot][]) {
        assert.deepEqual(parsers(s), expected(situation, s), situation);
      }
      // The snapshot leaves out etag; the compiled template shows each parser overwrites what is there.
      const module = JSON.parse(fs.readFileSync(path.join(out, "modules", "sentinelContent.json"), "utf8")) as { resources: Record<string, { type: string; etag?: string; properties: { functionAlias?: string } }> };
      assert.deepEqual(Object.values(module.resources).filter((r) => r.type.endsWith("/savedSearches") && r.properties.functionAlias).map((r) => r.etag), ["*"]);
    });

    it("deploys every analytic rule, hunting query and the workbook of content/, each behind its switch", () => {
      const deployed = (s: Snapshot) => ({
        rules: byType(s, "Microsoft.SecurityInsights/alertRules").map((r) => r.name).sort(),
        hunting: byType(s, "Microsoft.OperationalInsights/workspaces/savedSearches").filter((r) => props(r).category === "Hunting Queries").map((r) => r.id.split("/").pop()).sort(),
        workbooks: byType(s, "Microsoft.Insights/workbooks").length,
      });
      const all = { rules: RULES.map((r) => r.id).sort(), hunting: HUNTING.map((h) => h.id).sort(), workbooks: 1 };
      assert.deepEqual([deployed(snapshots.newEverything), deployed(snapshots.existingWorkspace), deployed(snapshots.platformTeam)], [all, all, { rules: [], hunting: [], workbooks: 0 }]);
      assert.ok(RULES.length > 0 && HUNTING.length > 0);
    });
  });
});
