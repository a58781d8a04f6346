// Optional Microsoft Entra ID sign-in in front of the function app: App Service authentication
// (authsettingsV2). Every request — the collectors page at /api/ui and the management API — must
// then carry an Entra session or bearer token for the app registration before the Functions host
// sees it; function keys still apply on top. Sign-in uses the ID-token (implicit) flow, so no client
// secret is stored: enable "ID tokens" on the registration and add the redirect URI this module
// outputs.

@description('Name of the function app to protect.')
param functionAppName string

@description('Application (client) id of the Microsoft Entra app registration users sign in with.')
param clientId string

@description('Tenant whose users may sign in (default: the deployment\'s tenant).')
param tenantId string = tenant().tenantId

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      // Browsers are sent to the sign-in page; API calls made with X-Requested-With or a bearer token get 401.
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
          clientId: clientId
        }
        validation: {
          allowedAudiences: [
            clientId
            'api://${clientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}

@description('Redirect URI to add to the app registration (platform "Web").')
output redirectUri string = 'https://${site.properties.defaultHostName}/.auth/login/aad/callback'
