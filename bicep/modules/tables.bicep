// The custom tables: the data tables and, optionally, the connector health table. Deployed in the
// workspace's resource group (often the Sentinel workspace); the parsers are Sentinel content
// (sentinelContent.bicep). Columns come from the schema data in src/schema (schema.bicep), the
// same files the row mappers use, so the code and the tables cannot drift.
import { dataTables, healthTable } from 'schema.bicep'

param workspaceName string
@description('Also create the connector health table (one row per collector generation).')
param deployHealthTable bool

var tables = concat(dataTables, deployHealthTable ? [
  healthTable
] : [])
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

output tableNames array = [for (table, i) in tables: customTables[i].name]
