// The vault holding the OpenAI API keys: new, or an existing one in this resource group.
// Access is by Azure RBAC; the app's identity may only read secrets.
import { roleIds } from 'roles.bicep'

param name string
param location string
param tags object
param createNew bool
@description('Principal id of the app\'s managed identity (granted the roles below).')
param principalId string
@description('Resource id of that identity: known when the deployment starts, so role assignment names (and what-if) do not wait for the principal id.')
param identityResourceId string
@description('Turn on purge protection for a vault created here. Irreversible: the vault name then stays taken for 90 days after deletion, so azd down followed by azd up fails.')
param purgeProtection bool
@description('Who deploys: gets Key Vault Secrets Officer on a vault created here, to put the OpenAI keys in. Empty: nobody.')
param deployerPrincipalId string
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param deployerPrincipalType string

resource newVault 'Microsoft.KeyVault/vaults@2024-11-01' = if (createNew) {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // RBAC rather than access policies: one permission model across Azure.
    enableRbacAuthorization: true
    // Deleted keys stay recoverable for 90 days.
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The API accepts only true here (purge protection cannot be turned off), so off is "not set".
    enablePurgeProtection: purgeProtection ? true : null
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: name
  dependsOn: [
    newVault
  ]
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityResourceId, roleIds.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// With RBAC, not even the vault's creator can write secrets without a data-plane role.
resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (createNew && !empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, roleIds.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

output uri string = vault.properties.vaultUri
output name string = vault.name
