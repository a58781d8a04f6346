// Application Insights for the app, workspace-based, accepting Entra-authenticated telemetry only.
// Its workspace is not the Sentinel workspace by default: Functions and Durable telemetry would be
// billed at Sentinel rates there.
import { roleIds } from 'roles.bicep'

param name string
param location string
param tags object
param workspaceResourceId string
@description('Principal id of the app\'s managed identity (granted the roles below).')
param principalId string
@description('Resource id of that identity: known when the deployment starts, so role assignment names (and what-if) do not wait for the principal id.')
param identityResourceId string

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspaceResourceId
    // Telemetry only from the app's identity: no instrumentation key can be abused.
    DisableLocalAuth: true
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityResourceId, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output connectionString string = appInsights.properties.ConnectionString
