/**
 * The optional Entra ID sign-in, compiled by the real Bicep CLI: off unless entraClientId is set,
 * and then requiring sign-in for every request, with the registration's issuer and audiences.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { missingTool } from "../support/realTools";
import { findBicep } from "./bicepCli";

const ROOT = path.resolve(__dirname, "../../..");

interface ArmResource { condition?: string; properties: { template?: ArmTemplate; parameters?: Record<string, { value: unknown }> } & Record<string, unknown> }
interface ArmTemplate { resources: Record<string, ArmResource> | ArmResource[]; outputs: Record<string, { value: string }> }

describe("Entra ID sign-in (bicep/modules/entraAuth.bicep)", () => {
  const bicep = findBicep();
  if (!bicep.available) {
    it("compiles with the Bicep CLI", (t) => missingTool(t, "bicep CLI", bicep.why));
    return;
  }
  const main = JSON.parse(execFileSync(bicep.tool, ["build", path.join(ROOT, "bicep", "main.bicep"), "--stdout"], { encoding: "utf8" })) as ArmTemplate & { parameters: Record<string, { defaultValue?: unknown }> };
  const resources = main.resources as Record<string, ArmResource>;

  it("is deployed only when entraClientId is set, and passes the client id and tenant on", () => {
    const module = resources.entraAuth!;
    assert.deepEqual([main.parameters.entraClientId?.defaultValue, module.condition, module.properties.parameters],
      ["", "[not(empty(parameters('entraClientId')))]", {
        functionAppName: { value: "[variables('functionAppName')]" },
        clientId: { value: "[parameters('entraClientId')]" },
        // An empty entraTenantId (azd's default) means the deployment's tenant.
        tenantId: "[if(empty(parameters('entraTenantId')), createObject('value', tenant().tenantId), createObject('value', parameters('entraTenantId')))]",
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
