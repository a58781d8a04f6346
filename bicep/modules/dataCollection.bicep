// The data collection endpoint and rule that the app posts rows to. Both are in the workspace's
// region, whatever region the app runs in: a DCR must be in the region of its Log Analytics
// destination, and its DCE in the DCR's region. Stream declarations come from the schema data in
// src/schema (schema.bicep); rows already carry the tables' column names, so the transform is a
// pass-through.
import { roleIds } from 'roles.bicep'
import { dataTables, healthTable } from 'schema.bicep'

param name string
@description('Region of the destination workspace.')
param location string
param tags object
param workspaceResourceId string
@description('Principal id of the app\'s managed identity (granted the roles below).')
param principalId string
@description('Resource id of that identity: known when the deployment starts, so role assignment names (and what-if) do not wait for the principal id.')
param identityResourceId string

@description('Also declare the connector health stream (its table must exist).')
param deployHealthTable bool

var tables = concat(dataTables, deployHealthTable ? [
  healthTable
] : [])
var transformKql = trim(loadTextContent('../kql/transform.kql'))

resource endpoint 'Microsoft.Insights/dataCollectionEndpoints@2023-03-11' = {
  name: '${name}-dce'
  location: location
  tags: tags
  properties: {
    networkAcls: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource rule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: '${name}-dcr'
  location: location
  tags: tags
  properties: {
    dataCollectionEndpointId: endpoint.id
    streamDeclarations: toObject(tables, table => table.streamName, table => {
      columns: map(table.columns, column => {
        name: column.name
        type: column.type
      })
    })
    destinations: {
      logAnalytics: [
        {
          name: 'workspace'
          workspaceResourceId: workspaceResourceId
        }
      ]
    }
    dataFlows: [for table in tables: {
      streams: [
        table.streamName
      ]
      destinations: [
        'workspace'
      ]
      transformKql: transformKql
      outputStream: table.streamName
    }]
  }
}

// Logs Ingestion accepts rows only from identities with this role on the rule.
resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(rule.id, identityResourceId, roleIds.monitoringMetricsPublisher)
  scope: rule
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output logsIngestionEndpoint string = endpoint.properties.logsIngestion.endpoint
output immutableId string = rule.properties.immutableId
output ruleId string = rule.id
