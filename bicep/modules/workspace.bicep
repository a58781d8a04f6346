// A new Log Analytics workspace, when the deployment does not use an existing (Sentinel) one.
param name string
param location string
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 90
  }
}

output id string = workspace.id
output name string = workspace.name
