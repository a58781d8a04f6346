// OpenAI → Microsoft Sentinel connector: a Durable Functions app that collects OpenAI audit logs
// and stored chat completions into Log Analytics custom tables through a DCE and DCR.
targetScope = 'resourceGroup'

@description('Name of the azd environment (used to derive resource names).')
param environmentName string

@description('Region for every resource. The DCR must be in the workspace\'s region.')
param location string = resourceGroup().location

@description('Name of the Log Analytics workspace to write to, usually the Sentinel workspace.')
param workspaceName string = ''

@description('Resource group of that workspace (default: this resource group).')
param workspaceResourceGroup string = resourceGroup().name

@description('Create a new workspace instead of using an existing one.')
param createWorkspace bool = empty(workspaceName)

@description('Name of the Key Vault holding the OpenAI keys; empty creates a new vault.')
param keyVaultName string = ''

@description('OpenAI API base URL.')
param openaiBaseUrl string = 'https://api.openai.com/v1'

@description('Collectors to create at deployment: [{id, dataType: auditLogs|chatCompletions, friendlyName, apiKeySecretName, pollIntervalSeconds?, startTime?}]. The reconciler creates any that are missing and revives stopped-unexpectedly ones; it never undoes a stop made through the API.')
param collectors array = [
  {
    id: 'audit-logs'
    dataType: 'auditLogs'
    friendlyName: 'OpenAI audit logs'
    apiKeySecretName: 'openai-admin-key'
    pollIntervalSeconds: 300
  }
  {
    id: 'chat-completions'
    dataType: 'chatCompletions'
    friendlyName: 'OpenAI stored completions'
    apiKeySecretName: 'openai-project-key'
    pollIntervalSeconds: 300
  }
]

@description('Page activities run at once per collector.')
@minValue(1)
@maxValue(32)
param fetchParallelism int = 4

@description('Requests per second the app sends to OpenAI at most (0: no client-side limit).')
@minValue(0)
param openaiMaxRequestsPerSecond int = 0

@description('Deploy the OpenAIAuditLogs / OpenAIChatCompletions workspace functions. Leave off if Microsoft\'s OpenAI solution is installed in the workspace.')
param deployParsers bool = true

@description('Create OpenAIConnectorHealth_CL and its DCR stream; collectors write one row per generation to it.')
param deployHealthTable bool = true

@description('Deploy the scheduled analytic rules (content/AnalyticRules).')
param deployAnalyticRules bool = true

@description('Deploy the hunting queries (content/HuntingQueries).')
param deployHuntingQueries bool = true

@description('Deploy the OpenAI connector workbook (content/Workbooks).')
param deployWorkbook bool = true

@description('Enable Microsoft Sentinel on the workspace; on by default for a new workspace.')
param onboardSentinel bool = createWorkspace

@description('Tags for every resource.')
param tags object = {}

@description('Client id of a Microsoft Entra app registration. Set: users sign in with Entra ID (App Service authentication) before the collectors page or the API answers. Empty: function keys only.')
param entraClientId string = ''

@description('Tenant whose users may sign in when entraClientId is set (default: the deployment\'s tenant).')
param entraTenantId string = tenant().tenantId

var suffix = uniqueString(subscription().id, resourceGroup().id, environmentName)
var allTags = union(tags, {
  'azd-env-name': environmentName
  solution: 'openai-sentinel-connector'
})
var deploymentContainerName = 'app-package-${take(suffix, 8)}'
var newWorkspaceName = 'log-openai-${suffix}'
var effectiveWorkspaceName = createWorkspace ? newWorkspaceName : workspaceName
var effectiveWorkspaceGroup = createWorkspace || empty(workspaceResourceGroup) ? resourceGroup().name : workspaceResourceGroup

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-openai-sentinel-${suffix}'
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'stoai${take(suffix, 18)}'
    location: location
    tags: allTags
    principalId: identity.outputs.principalId
    deploymentContainerName: deploymentContainerName
  }
}

module newWorkspace 'modules/workspace.bicep' = if (createWorkspace) {
  name: 'workspace'
  params: {
    name: newWorkspaceName
    location: location
    tags: allTags
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: effectiveWorkspaceName
  scope: resourceGroup(effectiveWorkspaceGroup)
  dependsOn: [
    newWorkspace
  ]
}

module tables 'modules/tables.bicep' = {
  name: 'tables'
  scope: resourceGroup(effectiveWorkspaceGroup)
  params: {
    workspaceName: effectiveWorkspaceName
    deployHealthTable: deployHealthTable
  }
  dependsOn: [
    newWorkspace
  ]
}

module dataCollection 'modules/dataCollection.bicep' = {
  name: 'dataCollection'
  params: {
    name: 'openai-sentinel-${take(suffix, 8)}'
    location: location
    tags: allTags
    workspaceResourceId: workspace.id
    principalId: identity.outputs.principalId
    deployHealthTable: deployHealthTable
  }
  dependsOn: [
    tables
  ]
}

module sentinelContent 'modules/sentinelContent.bicep' = {
  name: 'sentinelContent'
  scope: resourceGroup(effectiveWorkspaceGroup)
  params: {
    workspaceName: effectiveWorkspaceName
    location: location
    tags: allTags
    deployParsers: deployParsers
    deployAnalyticRules: deployAnalyticRules
    deployHuntingQueries: deployHuntingQueries
    deployWorkbook: deployWorkbook
    onboardSentinel: onboardSentinel
  }
  dependsOn: [
    tables
  ]
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    name: empty(keyVaultName) ? 'kv-oai-${take(suffix, 14)}' : keyVaultName
    location: location
    tags: allTags
    createNew: empty(keyVaultName)
    principalId: identity.outputs.principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: 'appi-openai-sentinel-${suffix}'
    location: location
    tags: allTags
    workspaceResourceId: workspace.id
    principalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    name: 'func-openai-sentinel-${suffix}'
    location: location
    tags: allTags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    logsIngestionEndpoint: dataCollection.outputs.logsIngestionEndpoint
    dcrImmutableId: dataCollection.outputs.immutableId
    openaiBaseUrl: openaiBaseUrl
    collectorsJson: string(collectors)
    fetchParallelism: fetchParallelism
    openaiMaxRequestsPerSecond: openaiMaxRequestsPerSecond
    maximumInstanceCount: 40
    connectorHealthEnabled: deployHealthTable
  }
}

module entraAuth 'modules/entraAuth.bicep' = if (!empty(entraClientId)) {
  name: 'entraAuth'
  params: {
    functionAppName: functionApp.outputs.name
    clientId: entraClientId
    tenantId: entraTenantId
  }
}

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output COLLECTORS_PAGE string = 'https://${functionApp.outputs.defaultHostName}/api/ui'
output ENTRA_REDIRECT_URI string = entraAuth.?outputs.redirectUri ?? ''
output MANAGEMENT_API string = 'https://${functionApp.outputs.defaultHostName}/api/collectors'
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri
output LOGS_INGESTION_ENDPOINT string = dataCollection.outputs.logsIngestionEndpoint
output DCR_IMMUTABLE_ID string = dataCollection.outputs.immutableId
output WORKSPACE_NAME string = effectiveWorkspaceName
