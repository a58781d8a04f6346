// The two custom tables and, optionally, the workspace functions (parsers) Microsoft's OpenAI
// solution defines. Deployed in the workspace's resource group (often the Sentinel workspace).
// Columns come from the schema data in src/schema, the same files the row mappers use, so the
// code and the tables cannot drift.
param workspaceName string
param deployParsers bool

var auditTable = loadJsonContent('../../src/schema/openai-audit-logs.table.json')
var chatTable = loadJsonContent('../../src/schema/openai-chat-completions.table.json')
var tables = [
  auditTable
  chatTable
]
// Table column types: the tables API spells datetime as dateTime.
var tableColumnType = {
  string: 'string'
  int: 'int'
  long: 'long'
  real: 'real'
  boolean: 'boolean'
  datetime: 'dateTime'
  dynamic: 'dynamic'
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource customTables 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = [for table in tables: {
  parent: workspace
  name: table.tableName
  properties: {
    plan: 'Analytics'
    retentionInDays: table.retentionInDays
    schema: {
      name: table.tableName
      description: table.description
      columns: map(table.columns, column => {
        name: column.name
        type: tableColumnType[column.type]
        description: column.description
      })
    }
  }
}]

// Same function names and bodies as Microsoft's solution, so its queries keep working.
// Leave off when that solution is installed in this workspace (it defines the same functions).
var parsers = [
  {
    name: 'OpenAIAuditLogs'
    displayName: 'OpenAI audit logs'
    query: loadTextContent('../kql/parser-OpenAIAuditLogs.kql')
  }
  {
    name: 'OpenAIChatCompletions'
    displayName: 'OpenAI chat completions'
    query: loadTextContent('../kql/parser-OpenAIChatCompletions.kql')
  }
]

resource parserFunctions 'Microsoft.OperationalInsights/workspaces/savedSearches@2020-08-01' = [for parser in parsers: if (deployParsers) {
  parent: workspace
  name: 'openai-sentinel-connector-${parser.name}'
  properties: {
    category: 'Microsoft Sentinel Parser'
    displayName: parser.displayName
    query: parser.query
    functionAlias: parser.name
    version: 2
  }
  dependsOn: [
    customTables
  ]
}]

output tableNames array = [for (table, i) in tables: customTables[i].name]
