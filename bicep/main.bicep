// OpenAI → Microsoft Sentinel connector: a Durable Functions app that collects OpenAI audit logs
// and stored chat completions into Log Analytics custom tables through a DCE and DCR.
//
// Layout: parameters, then one module per concern (modules/), then outputs. A new concern adds a
// module file and one module block here; every parameter a user may set is also mapped in
// main.parameters.json (npm test checks both against the compiled template).
targetScope = 'resourceGroup'

// ---- Where things go -------------------------------------------------------------------------

@description('Name of the azd environment (used to derive resource names).')
param environmentName string

@description('Region of the Function App, its storage, identity, vault and telemetry; it must offer Flex Consumption. The DCE and DCR always go to the Sentinel workspace\'s region.')
param location string = resourceGroup().location

@description('Name of the existing Log Analytics (Sentinel) workspace to write to. Empty: a new workspace, with Microsoft Sentinel enabled, is created in this resource group and region.')
param workspaceName string = ''

@description('Resource group of that existing workspace. Empty: this resource group.')
param workspaceResourceGroup string = ''

@description('Enable Microsoft Sentinel on the existing workspace named by workspaceName (a workspace this template creates always gets it; analytic rules need it). Needs Microsoft Sentinel Contributor on that workspace.')
param enableSentinelOnExistingWorkspace bool = false

@description('Resource id of the Log Analytics workspace for the app\'s own Application Insights telemetry. Empty: a small workspace of its own, so Functions and Durable telemetry is not billed at Sentinel rates.')
param telemetryWorkspaceResourceId string = ''

// ---- Keys ------------------------------------------------------------------------------------

@description('Name of an existing Key Vault in this resource group holding the OpenAI keys. Empty: a new vault.')
param keyVaultName string = ''

@description('Purge protection on a vault this template creates. Irreversible, and the name then stays taken for 90 days after deletion (azd down, then azd up, fails); off by default.')
param keyVaultPurgeProtection bool = false

@description('Object id of who deploys (azd sets AZURE_PRINCIPAL_ID): gets Key Vault Secrets Officer on a vault this template creates, to put the OpenAI keys in. Empty: nobody.')
param principalId string = ''

@description('Kind of principalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

// ---- What the app collects -------------------------------------------------------------------

@description('OpenAI API base URL.')
param openaiBaseUrl string = 'https://api.openai.com/v1'

@description('ChatGPT Compliance API base URL, for compliance-log collectors (another host for FedRAMP workspaces).')
param chatgptComplianceBaseUrl string = 'https://api.chatgpt.com/v1/compliance'

@description('Collectors to keep running: [{id, dataType: auditLogs|chatCompletions|complianceLogs|usage|costs, friendlyName, apiKeySecretName, pollIntervalSeconds?, startTime?, compliance?: {workspaceId?, organizationId?, eventTypes?, includeConversationMessages?, overlapSeconds?}, families? (usage), bucketWidth? (usage: 1m|1h|1d)}]. Empty: one audit-log collector (secret openai-admin-key), one chat-completions collector (secret openai-project-key), and one usage and one costs collector (secret openai-admin-key). The reconciler creates any that are missing and revives stopped-unexpectedly ones; it never undoes a stop made through the API.')
param collectors array = []

@description('Page activities run at once per collector.')
@minValue(1)
@maxValue(32)
param fetchParallelism int = 4

@description('Requests per second the app sends to OpenAI at most (0: no client-side limit).')
@minValue(0)
param openaiMaxRequestsPerSecond int = 0

@description('Deploy the OpenAIAuditLogs / OpenAIChatCompletions workspace functions. They have the resource names of Microsoft\'s OpenAI solution, so where it is installed they replace its functions (reading this connector\'s tables) instead of clashing with them; set false to keep the solution\'s.')
param deployParsers bool = true

@description('Create OpenAIConnectorHealth_CL and its DCR stream; collectors write one row per generation to it.')
param deployHealthTable bool = true

@description('Deploy the scheduled analytic rules (content/AnalyticRules).')
param deployAnalyticRules bool = true

@description('Deploy the hunting queries (content/HuntingQueries).')
param deployHuntingQueries bool = true

@description('Deploy the OpenAI connector workbook (content/Workbooks).')
param deployWorkbook bool = true

@description('Tags for every resource.')
param tags object = {}

// ---- Who may open the collectors page and the API --------------------------------------------

@description('Client id of a Microsoft Entra app registration. Set: users sign in with Entra ID (App Service authentication) before the collectors page or the API answers. Empty: function keys only.')
param entraClientId string = ''

@description('Tenant whose users may sign in when entraClientId is set. Empty: the deployment\'s tenant.')
param entraTenantId string = ''

// ---- Derived names ---------------------------------------------------------------------------

var suffix = uniqueString(subscription().id, resourceGroup().id, environmentName)
var allTags = union(tags, {
  'azd-env-name': environmentName
  solution: 'openai-sentinel-connector'
})
var identityName = 'id-openai-sentinel-${suffix}'
var identityResourceId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', identityName)
var functionAppName = 'func-openai-sentinel-${suffix}'
var deploymentContainerName = 'app-package-${take(suffix, 8)}'
var createWorkspace = empty(workspaceName)
var effectiveWorkspaceName = createWorkspace ? 'log-openai-${suffix}' : workspaceName
var effectiveWorkspaceGroup = createWorkspace || empty(workspaceResourceGroup) ? resourceGroup().name : workspaceResourceGroup
var defaultCollectors = [
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
  {
    id: 'usage'
    dataType: 'usage'
    friendlyName: 'OpenAI usage'
    apiKeySecretName: 'openai-admin-key'
    pollIntervalSeconds: 300
  }
  {
    id: 'costs'
    dataType: 'costs'
    friendlyName: 'OpenAI costs'
    apiKeySecretName: 'openai-admin-key'
    pollIntervalSeconds: 300
  }
]

// ---- The Sentinel workspace, its tables, the data collection and the content -----------------

module newWorkspace 'modules/workspace.bicep' = if (createWorkspace) {
  name: 'workspace'
  params: {
    name: effectiveWorkspaceName
    location: location
    tags: allTags
    retentionInDays: 90
  }
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: effectiveWorkspaceName
  scope: resourceGroup(effectiveWorkspaceGroup)
  dependsOn: [
    newWorkspace
  ]
}

// The logs-ingestion endpoint must be in the workspace's region: a new workspace is in `location`,
// an existing one wherever it is.
var workspaceLocation = createWorkspace ? location : workspace.location

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
    location: workspaceLocation
    tags: allTags
    workspaceResourceId: workspace.id
    principalId: identity.outputs.principalId
    identityResourceId: identityResourceId
    deployHealthTable: deployHealthTable
  }
  dependsOn: [
    tables
  ]
}

// Parsers, analytic rules, hunting queries and the workbook (content/), and Microsoft Sentinel
// itself: always on a workspace created here, on an existing one when asked.
module sentinelContent 'modules/sentinelContent.bicep' = {
  name: 'sentinelContent'
  scope: resourceGroup(effectiveWorkspaceGroup)
  params: {
    workspaceName: effectiveWorkspaceName
    location: workspaceLocation
    tags: allTags
    deployParsers: deployParsers
    deployAnalyticRules: deployAnalyticRules
    deployHuntingQueries: deployHuntingQueries
    deployWorkbook: deployWorkbook
    onboardSentinel: createWorkspace || enableSentinelOnExistingWorkspace
  }
  dependsOn: [
    tables
  ]
}

// ---- The app and what it runs on -------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
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
    identityResourceId: identityResourceId
    deploymentContainerName: deploymentContainerName
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    name: empty(keyVaultName) ? 'kv-oai-${take(suffix, 14)}' : keyVaultName
    location: location
    tags: allTags
    createNew: empty(keyVaultName)
    principalId: identity.outputs.principalId
    identityResourceId: identityResourceId
    purgeProtection: keyVaultPurgeProtection
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module telemetryWorkspace 'modules/workspace.bicep' = if (empty(telemetryWorkspaceResourceId)) {
  name: 'telemetryWorkspace'
  params: {
    name: 'log-openai-telemetry-${suffix}'
    location: location
    tags: allTags
    retentionInDays: 30
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: 'appi-openai-sentinel-${suffix}'
    location: location
    tags: allTags
    workspaceResourceId: empty(telemetryWorkspaceResourceId) ? telemetryWorkspace!.outputs.id : telemetryWorkspaceResourceId
    principalId: identity.outputs.principalId
    identityResourceId: identityResourceId
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    name: functionAppName
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
    chatgptComplianceBaseUrl: chatgptComplianceBaseUrl
    collectorsJson: string(empty(collectors) ? defaultCollectors : collectors)
    fetchParallelism: fetchParallelism
    openaiMaxRequestsPerSecond: openaiMaxRequestsPerSecond
    maximumInstanceCount: 40
    connectorHealthEnabled: deployHealthTable
  }
}

module entraAuth 'modules/entraAuth.bicep' = if (!empty(entraClientId)) {
  name: 'entraAuth'
  params: {
    // The name, known when the deployment starts (what-if can then predict the settings).
    functionAppName: functionAppName
    clientId: entraClientId
    tenantId: empty(entraTenantId) ? tenant().tenantId : entraTenantId
  }
  dependsOn: [
    functionApp
  ]
}

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output MANAGEMENT_API string = 'https://${functionApp.outputs.defaultHostName}/api/collectors'
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri
output LOGS_INGESTION_ENDPOINT string = dataCollection.outputs.logsIngestionEndpoint
output DCR_IMMUTABLE_ID string = dataCollection.outputs.immutableId
output WORKSPACE_NAME string = effectiveWorkspaceName
output WORKSPACE_RESOURCE_GROUP string = effectiveWorkspaceGroup
output DATA_COLLECTION_LOCATION string = workspaceLocation
output COLLECTORS_PAGE string = 'https://${functionApp.outputs.defaultHostName}/api/ui'
output ENTRA_REDIRECT_URI string = entraAuth.?outputs.redirectUri ?? ''
