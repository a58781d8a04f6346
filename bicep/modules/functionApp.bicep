// The Function App on the Flex Consumption plan, running as the user-assigned identity, with every
// setting the code reads wired from the other modules' outputs.
param name string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string
param appInsightsConnectionString string
param keyVaultUri string
param logsIngestionEndpoint string
param dcrImmutableId string
param openaiBaseUrl string
@description('ChatGPT Compliance API base URL (compliance-log collectors).')
param chatgptComplianceBaseUrl string
param collectorsJson string
param fetchParallelism int
param openaiMaxRequestsPerSecond int
param maximumInstanceCount int
@description('Whether collectors write OpenAIConnectorHealth_CL rows (the table and its DCR stream are deployed).')
param connectorHealthEnabled bool = true

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'connector'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    // Plain HTTP is never served; the management API carries function keys.
    httpsOnly: true
    siteConfig: {
      // TLS 1.0/1.1 are broken; every supported client speaks 1.2.
      minTlsVersion: '1.2'
      // FTP would be a second, password-based way in: off.
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
        // One warm instance keeps the eternal orchestrators' timers and queues serviced promptly.
        alwaysReady: [
          {
            name: 'durable'
            instanceCount: 1
          }
        ]
      }
      // Node.js 22 LTS (Node.js 20 reached end of life in April 2026).
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Publishing with basic credentials (FTP / SCM passwords) is off; deployment uses Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions and Durable Functions storage through the managed identity (no connection string).
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    TASK_HUB_NAME: 'openaisentinel'
    OPENAI_BASE_URL: openaiBaseUrl
    CHATGPT_COMPLIANCE_BASE_URL: chatgptComplianceBaseUrl
    KEY_VAULT_URI: keyVaultUri
    LOGS_INGESTION_ENDPOINT: logsIngestionEndpoint
    DCR_IMMUTABLE_ID: dcrImmutableId
    AZURE_CLIENT_ID: identityClientId
    FETCH_PARALLELISM: string(fetchParallelism)
    // 0 = no client-side limit; set it to the organization's known limit to avoid spending requests on 429s.
    OPENAI_MAX_REQUESTS_PER_SECOND: string(openaiMaxRequestsPerSecond)
    PAGES_PER_ACTIVITY: '10'
    CHAT_PAGES_PER_ACTIVITY: '20'
    AUDIT_LAG_SECONDS: '60'
    AUDIT_OVERLAP_SECONDS: '1800'
    CHAT_LATE_HORIZON_SECONDS: '1800'
    COLLECTORS: collectorsJson
    CONNECTOR_HEALTH_ENABLED: string(connectorHealthEnabled)
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
