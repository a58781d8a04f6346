/**
 * The optional Entra ID sign-in, compiled by the real Bicep CLI: off unless entraClientId is set,
 * and then requiring sign-in for every request, with the registration's issuer and audiences.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "../../..");

/** The Bicep CLI: BICEP_PATH, or the copy restored into the git-ignored .tools/ folder. */
function bicepCli(): string | undefined {
  if (process.env.BICEP_PATH) return process.env.BICEP_PATH;
  const dir = path.join(ROOT, ".tools", "bicep");
  const versions = fs.existsSync(dir) ? fs.readdirSync(dir).sort().reverse() : [];
  return versions.map((v) => path.join(dir, v, "bicep")).find((f) => fs.existsSync(f));
}

interface ArmResource { condition?: string; properties: { template?: ArmTemplate; parameters?: Record<string, { value: unknown }> } & Record<string, unknown> }
interface ArmTemplate { resources: Record<string, ArmResource> | ArmResource[]; outputs: Record<string, { value: string }> }

describe("Entra ID sign-in (bicep/modules/entraAuth.bicep)", () => {
  const cli = bicepCli();
  if (!cli) {
    if (process.env.REQUIRE_REAL_TOOLS === "1") throw new Error("the Bicep CLI is required (REQUIRE_REAL_TOOLS=1): set BICEP_PATH or restore it into .tools/bicep/<version>/bicep");
    it("compiles with the Bicep CLI", () => console.log("skipped: bicep not available (no BICEP_PATH and nothing in .tools/bicep/)"));
    return;
  }
  const main = JSON.parse(execFileSync(cli, ["build", path.join(ROOT, "bicep", "main.bicep"), "--stdout"], { encoding: "utf8" })) as ArmTemplate & { parameters: Record<string, { defaultValue?: unknown }> };
  const resources = main.resources as Record<string, ArmResource>;

  it("is deployed only when entraClientId is set, and passes the client id and tenant on", () => {
    const module = resources.entraAuth!;
    assert.deepEqual([main.parameters.entraClientId?.defaultValue, module.condition, module.properties.parameters],
      ["", "[not(empty(parameters('entraClientId')))]", {
        functionAppName: { value: "[reference('functionApp').outputs.name.value]" },
        clientId: { value: "[parameters('entraClientId')]" },
        tenantId: { value: "[parameters('entraTenantId')]" },
      }]);
  });

  it("requires sign-in for every request with the registration's issuer and audiences, and stores no secret", () => {
    const inner = resources.entraAuth!.properties.template!;
    const auth = Object.values(inner.resources as Record<string, ArmResource>).find((r) => (r as unknown as { type: string }).type === "Microsoft.Web/sites/config")!;
    const props = auth.properties;
    assert.deepEqual([(auth as unknown as { name: string }).name, props.platform, props.globalValidation, props.identityProviders], [
      "[format('{0}/{1}', parameters('functionAppName'), 'authsettingsV2')]",
      { enabled: true },
      { requireAuthentication: true, unauthenticatedClientAction: "RedirectToLoginPage", redirectToProvider: "azureactivedirectory" },
      { azureActiveDirectory: {
        enabled: true,
        registration: { openIdIssuer: "[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, parameters('tenantId'))]", clientId: "[parameters('clientId')]" },
        validation: { allowedAudiences: ["[parameters('clientId')]", "[format('api://{0}', parameters('clientId'))]"] },
      } },
    ]);
    assert.deepEqual(main.outputs.COLLECTORS_PAGE?.value, "[format('https://{0}/api/ui', reference('functionApp').outputs.defaultHostName.value)]");
  });
});
