// Microsoft Sentinel content for the OpenAI tables: parsers (workspace functions), scheduled analytic
// rules, hunting queries (saved searches) and a workbook. Everything is loaded from content/, one
// folder per kind, in the Sentinel template formats; nothing here restates a query. Deployed in the
// workspace's resource group.

@description('Name of the Log Analytics workspace (with Microsoft Sentinel).')
param workspaceName string

@description('Region of the workbook (the workspace\'s region).')
param location string

@description('Deploy the OpenAIAuditLogs / OpenAIChatCompletions functions (replacing Microsoft\'s OpenAI solution\'s functions of the same names where it is installed).')
param deployParsers bool

@description('Deploy the scheduled analytic rules (content/AnalyticRules).')
param deployAnalyticRules bool

@description('Deploy the hunting queries (content/HuntingQueries).')
param deployHuntingQueries bool

@description('Deploy the workbook (content/Workbooks).')
param deployWorkbook bool

@description('Enable Microsoft Sentinel on the workspace (needed once, before rules can be created).')
param onboardSentinel bool

@description('Tags for the workbook.')
param tags object = {}

// One entry per file of the folder; test/bicep checks these lists against the folders.
var analyticRules = [
  loadYamlContent('../../content/AnalyticRules/ChatGPTAdminRoleGranted.yaml')
  loadYamlContent('../../content/AnalyticRules/ChatGPTAppLinkedFirstTime.yaml')
  loadYamlContent('../../content/AnalyticRules/ChatGPTCodexSecurityHighSeverityFinding.yaml')
  loadYamlContent('../../content/AnalyticRules/ChatGPTSignInFailureBurst.yaml')
  loadYamlContent('../../content/AnalyticRules/ChatGPTSignInNewCountry.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIAdminApiKeyCreated.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIApiKeyBroadScopes.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIBruteForceThenSuccess.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAICollectorUnhealthy.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAICredentialStuffing.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIIpAllowlistWeakened.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIKeyCreatedByServiceAccount.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAILoggingOrDataControlsReduced.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIMassDeletion.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAINewEventType.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAINewSignInCountryAsnOrFingerprint.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIOwnerOrAdminRoleGranted.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIPasswordSpray.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIScimDisabled.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAIServiceAccountCreatedWithKey.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAISessionPolicyWeakened.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAISpendByNewApiKey.yaml')
  loadYamlContent('../../content/AnalyticRules/OpenAISsoConnectionChanged.yaml')
]
var huntingQueries = [
  loadYamlContent('../../content/HuntingQueries/ChatGPTSignInsAndAppLinksPerUser.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAIActivityOutsideWorkingHours.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAIApiKeyLifecyclePerActor.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAICompletionsByServiceTier.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAICostAndTokenSpikes.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAIFailedSignInsBySource.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAIKeyAndRoleChangesTimeline.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAIRareActorsAndUserAgents.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAIRefusalsAndContentFilter.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAITokenUsageOutliers.yaml')
  loadYamlContent('../../content/HuntingQueries/OpenAIToolCallSpikes.yaml')
]
var parsers = [
  loadYamlContent('../../content/Parsers/ASimAgentEventOpenAIAPIPlatform.yaml')
  loadYamlContent('../../content/Parsers/ChatGPTComplianceLogs.yaml')
  loadYamlContent('../../content/Parsers/ChatGPTCosts.yaml')
  loadYamlContent('../../content/Parsers/OpenAIAuditLogs.yaml')
  loadYamlContent('../../content/Parsers/OpenAIChatCompletions.yaml')
  loadYamlContent('../../content/Parsers/OpenAIConnectorHealth.yaml')
  loadYamlContent('../../content/Parsers/OpenAICosts.yaml')
  loadYamlContent('../../content/Parsers/OpenAIUsage.yaml')
]
var workbookContent = loadJsonContent('../../content/Workbooks/OpenAIConnector.json')

// Functions Microsoft's OpenAI solution defines under the same alias.
var microsoftAliases = [
  'OpenAIAuditLogs'
  'OpenAIChatCompletions'
]
// The rule YAML says gt/lt/eq/ne and 5m/1h/14d; the alert-rule API wants names and ISO 8601 durations.
var triggerOperators = {
  gt: 'GreaterThan'
  lt: 'LessThan'
  eq: 'Equal'
  ne: 'NotEqual'
}

func isoDuration(duration string) string => endsWith(duration, 'd') ? 'P${toUpper(duration)}' : 'PT${toUpper(duration)}'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource sentinel 'Microsoft.SecurityInsights/onboardingStates@2024-09-01' = if (onboardSentinel) {
  scope: workspace
  name: 'default'
  properties: {}
}

// A workspace allows one function per alias. The two aliases Microsoft's solution also defines
// keep its resource names (savedSearches/OpenAIAuditLogs, …/OpenAIChatCompletions) and etag '*':
// where the solution is installed they replace its functions (with bodies reading this
// connector's tables) instead of failing on a second function with the same alias.
resource parserFunctions 'Microsoft.OperationalInsights/workspaces/savedSearches@2020-08-01' = [for parser in parsers: if (deployParsers || !contains(microsoftAliases, parser.FunctionAlias)) {
  parent: workspace
  name: contains(microsoftAliases, parser.FunctionAlias) ? parser.FunctionAlias : 'openai-sentinel-connector-${parser.FunctionAlias}'
  etag: '*'
  properties: {
    category: parser.Category
    displayName: parser.Function.Title
    query: parser.FunctionQuery
    functionAlias: parser.FunctionAlias
    functionParameters: join(map(parser.?FunctionParams ?? [], p => '${p.Name}:${p.Type}=${p.Default}'), ', ')
    version: 2
  }
}]

resource huntingSearches 'Microsoft.OperationalInsights/workspaces/savedSearches@2020-08-01' = [for query in huntingQueries: if (deployHuntingQueries) {
  parent: workspace
  name: query.id
  properties: {
    category: 'Hunting Queries'
    displayName: query.name
    query: query.query
    version: 2
    tags: [
      {
        name: 'description'
        value: query.description
      }
      {
        name: 'tactics'
        value: join(query.tactics, ',')
      }
      {
        name: 'techniques'
        value: join(query.?relevantTechniques ?? [], ',')
      }
    ]
  }
  dependsOn: [
    parserFunctions
  ]
}]

resource rules 'Microsoft.SecurityInsights/alertRules@2025-03-01' = [for rule in analyticRules: if (deployAnalyticRules) {
  scope: workspace
  name: rule.id
  kind: 'Scheduled'
  properties: {
    displayName: rule.name
    description: rule.description
    severity: rule.severity
    enabled: true
    query: rule.query
    queryFrequency: isoDuration(rule.queryFrequency)
    queryPeriod: isoDuration(rule.queryPeriod)
    triggerOperator: triggerOperators[rule.triggerOperator]
    triggerThreshold: rule.triggerThreshold
    suppressionEnabled: false
    suppressionDuration: 'PT5H'
    tactics: rule.tactics
    // The GA API takes parent techniques only (subTechniques is preview); the YAML keeps the sub-techniques.
    techniques: union(map(rule.?relevantTechniques ?? [], t => split(t, '.')[0]), [])
    entityMappings: rule.entityMappings
    customDetails: rule.?customDetails
    alertDetailsOverride: rule.?alertDetailsOverride
    eventGroupingSettings: rule.eventGroupingSettings
    incidentConfiguration: {
      createIncident: rule.incidentConfiguration.createIncident
      groupingConfiguration: {
        enabled: rule.incidentConfiguration.groupingConfiguration.enabled
        reopenClosedIncident: rule.incidentConfiguration.groupingConfiguration.reopenClosedIncident
        lookbackDuration: isoDuration(rule.incidentConfiguration.groupingConfiguration.lookbackDuration)
        matchingMethod: rule.incidentConfiguration.groupingConfiguration.matchingMethod
      }
    }
    templateVersion: rule.version
  }
  dependsOn: [
    sentinel
    parserFunctions
  ]
}]

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = if (deployWorkbook) {
  name: guid(workspace.id, workbookContent.fromTemplateId)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'OpenAI connector'
    category: 'sentinel'
    sourceId: workspace.id
    serializedData: string(workbookContent)
    version: '1.0'
  }
}

output analyticRuleCount int = deployAnalyticRules ? length(analyticRules) : 0
output huntingQueryCount int = deployHuntingQueries ? length(huntingQueries) : 0
