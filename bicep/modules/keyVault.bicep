// The vault holding the OpenAI API keys: new, or an existing one in this resource group.
// Access is by Azure RBAC; the app's identity may only read secrets.
import { roleIds } from 'roles.bicep'

param name string
param location string
param tags object
param createNew bool
param principalId string

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
    // Deleted keys stay recoverable, and cannot be purged early.
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: name
  dependsOn: [
    newVault
  ]
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roleIds.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output uri string = vault.properties.vaultUri
output name string = vault.name
