// Storage for the Functions runtime and Durable Functions (queues, tables, blobs), reached with the
// managed identity only.
import { roleIds } from 'roles.bicep'

param name string
param location string
param tags object
@description('Principal id of the app\'s managed identity (granted the roles below).')
param principalId string
@description('Resource id of that identity: known when the deployment starts, so role assignment names (and what-if) do not wait for the principal id.')
param identityResourceId string
param deploymentContainerName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Identity-based access only: no account keys to leak or rotate.
    allowSharedKeyAccess: false
    // No anonymous blob access, ever.
    allowBlobPublicAccess: false
    // Older TLS versions are broken; clients here all speak 1.2.
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Flex Consumption deploys the app package from this container.
resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobServices
  name: deploymentContainerName
}

// Durable Functions keeps orchestration state in queues and tables; the runtime and deployment use blobs.
var storageRoles = [
  roleIds.storageBlobDataOwner
  roleIds.storageQueueDataContributor
  roleIds.storageTableDataContributor
]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoles: {
  name: guid(storage.id, identityResourceId, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
