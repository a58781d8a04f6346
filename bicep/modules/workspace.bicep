// A new Log Analytics workspace: the Sentinel workspace when the deployment does not use an
// existing one, or the small workspace that holds the app's own telemetry.
param name string
param location string
param tags object
@description('Days the workspace keeps data (30 to 730).')
@minValue(30)
@maxValue(730)
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

output id string = workspace.id
output name string = workspace.name
