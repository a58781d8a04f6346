/** The one Azure credential of the process. */
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/core-auth";

/**
 * A user-assigned managed identity when its client id is configured (what the Bicep deployment
 * sets up, and Microsoft's production guidance), else the DefaultAzureCredential chain (Azure
 * CLI, environment, … for local runs).
 */
export function createCredential(azureClientId: string | undefined): TokenCredential {
  return azureClientId ? new ManagedIdentityCredential({ clientId: azureClientId }) : new DefaultAzureCredential();
}
