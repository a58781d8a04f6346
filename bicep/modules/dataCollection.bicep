// The data collection endpoint and rule that the app posts rows to. Stream declarations come from
// the schema data in src/schema; rows already carry the tables' column names, so the transform
// is a pass-through.
import { roleIds } from 'roles.bicep'

param name string
param location string
param tags object
param workspaceResourceId string
param principalId string
@description('Also declare the connector health stream (its table must exist).')
param deployHealthTable bool

var auditTable = loadJsonContent('../../src/schema/openai-audit-logs.table.json')
var chatTable = loadJsonContent('../../src/schema/openai-chat-completions.table.json')
var healthTable = loadJsonContent('../../src/schema/openai-connector-health.table.json')
var tables = concat([
  auditTable
  chatTable
], deployHealthTable ? [
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
  name: guid(rule.id, principalId, roleIds.monitoringMetricsPublisher)
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
