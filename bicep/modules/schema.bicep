// The custom tables the app writes, as data: the same src/schema/*.table.json files the row
// mappers read, so code, tables and DCR streams cannot drift. Bicep loads files by literal path
// only, so a new table file is added here once (in file-name order); tables.bicep and
// dataCollection.bicep both import these, and `npm test` fails while a schema file is missing.

@description('The data tables, always deployed.')
@export()
var dataTables = [
  loadJsonContent('../../src/schema/chatgpt-compliance-logs.table.json')
  loadJsonContent('../../src/schema/chatgpt-costs.table.json')
  loadJsonContent('../../src/schema/openai-audit-logs.table.json')
  loadJsonContent('../../src/schema/openai-chat-completions.table.json')
  loadJsonContent('../../src/schema/openai-costs.table.json')
  loadJsonContent('../../src/schema/openai-usage.table.json')
]

@description('The connector health table (deployHealthTable).')
@export()
var healthTable = loadJsonContent('../../src/schema/openai-connector-health.table.json')
