// The function app on Flex Consumption (Linux, Node 22) with its app settings. Every app setting set
// here is a key of shared/config.ts or a platform setting (test/unit/infra/appSettings.test.ts holds
// the two together); the three secrets come from Key Vault references, never as plain text.

param name string
param location string
param tags object
param planId string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity: storage, Key Vault references, Application Insights and (in managedIdentity mode) the Marketplace API.')
param identityClientId string

param storageAccountName string
param deploymentContainerName string

@secure()
@description('Connection string of Application Insights (sent with an Entra token: local authentication is off).')
param appInsightsConnectionString string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([
  'managedIdentity'
  'clientSecret'
])
param marketplaceAuthMode string = 'managedIdentity'

param marketplaceTenantId string

@description('clientSecret mode: the app registration\'s client id (in managedIdentity mode the identity\'s client id is used).')
param marketplaceClientId string = ''

@description('clientSecret mode: versionless Key Vault URI of the client secret.')
param marketplaceClientSecretUri string = ''

@description('Versionless Key Vault URI of LANDING_FORM_SECRET.')
param landingFormSecretUri string

@description('Versionless Key Vault URI of ISV_WEBHOOK_SECRET.')
param isvWebhookSecretUri string

@allowed([
  'automatic'
  'confirm'
])
param landingActivationMode string = 'automatic'

param landingProductName string = 'your subscription'
param landingSupportUrl string = ''
param isvWebhookUrl string = ''
param isvDecisionUrl string = ''
param enableEasyAuth bool = false
param landingRequireSignIn bool = false
param easyAuthClientId string = ''
param easyAuthOpenIdIssuer string = 'https://login.microsoftonline.com/organizations/v2.0'

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

var endpoints = storageAccount.properties.primaryEndpoints

// The application id entered in Partner Center: the identity itself, or the app registration.
var applicationId = marketplaceAuthMode == 'managedIdentity' ? identityClientId : marketplaceClientId

// Host and platform settings: identity-based AzureWebJobsStorage (used by the host's triggers and by
// the app's own table and queue clients), Application Insights by Entra ID, source maps for the worker.
var platformSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: endpoints.blob
  AzureWebJobsStorage__queueServiceUri: endpoints.queue
  AzureWebJobsStorage__tableServiceUri: endpoints.table
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  languageWorkers__node__arguments: '--enable-source-maps'
}

var marketplaceSettings = marketplaceAuthMode == 'managedIdentity'
  ? {
      MARKETPLACE_AUTH_MODE: 'managedIdentity'
      MARKETPLACE_TENANT_ID: marketplaceTenantId
      MARKETPLACE_CLIENT_ID: applicationId
      MARKETPLACE_MANAGED_IDENTITY_CLIENT_ID: identityClientId
    }
  : {
      MARKETPLACE_AUTH_MODE: 'clientSecret'
      MARKETPLACE_TENANT_ID: marketplaceTenantId
      MARKETPLACE_CLIENT_ID: applicationId
      MARKETPLACE_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${marketplaceClientSecretUri})'
    }

var landingSettings = {
  LANDING_ACTIVATION_MODE: landingActivationMode
  LANDING_FORM_SECRET: '@Microsoft.KeyVault(SecretUri=${landingFormSecretUri})'
  LANDING_PRODUCT_NAME: landingProductName
  LANDING_EASY_AUTH: enableEasyAuth ? 'true' : 'false'
  LANDING_REQUIRE_SIGN_IN: enableEasyAuth && landingRequireSignIn ? 'true' : 'false'
}

var supportSettings = empty(landingSupportUrl) ? {} : { LANDING_SUPPORT_URL: landingSupportUrl }

var isvSettings = { ISV_WEBHOOK_SECRET: '@Microsoft.KeyVault(SecretUri=${isvWebhookSecretUri})' }
var isvWebhookSettings = empty(isvWebhookUrl) ? {} : { ISV_WEBHOOK_URL: isvWebhookUrl }
var isvDecisionSettings = empty(isvDecisionUrl) ? {} : { ISV_DECISION_URL: isvDecisionUrl }

var appSettings = union(
  platformSettings,
  marketplaceSettings,
  landingSettings,
  supportSettings,
  isvSettings,
  isvWebhookSettings,
  isvDecisionSettings
)

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: planId
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${endpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// Easy Auth signs buyers in on the landing page only when asked: anonymous requests still reach the
// app (the webhook carries Microsoft's bearer token, the admin API its function key), and the landing
// page redirects to /.auth/login/aad itself when LANDING_REQUIRE_SIGN_IN is true.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = if (enableEasyAuth) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: easyAuthClientId
          openIdIssuer: easyAuthOpenIdIssuer
        }
        validation: {
          allowedAudiences: [
            easyAuthClientId
            'api://${easyAuthClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
output marketplaceTenantId string = marketplaceTenantId
output marketplaceClientId string = applicationId
