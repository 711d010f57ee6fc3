// Key Vault in RBAC mode holding the app's secrets. The app's identity gets "Key Vault Secrets User"
// on this vault only (read secret values, nothing else); app settings refer to the secrets by their
// versionless URI, so a new version is picked up without a redeployment.

@description('Name of the vault (globally unique, 3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object

@description('Principal id of the identity that reads the secrets (the function app\'s user-assigned identity).')
param readerPrincipalId string

@secure()
@minLength(32)
@description('Key that signs the landing page form tokens.')
param landingFormSecret string

@secure()
@minLength(32)
@description('Key that signs the CloudEvents sent to your product.')
param isvWebhookSecret string

@description('Store the Marketplace client secret (clientSecret mode).')
param storeMarketplaceClientSecret bool = false

@secure()
@description('Client secret of the Entra app registration (clientSecret mode).')
param marketplaceClientSecret string = ''

// Key Vault Secrets User: read secret contents only.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource landingFormSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'landing-form-secret'
  properties: {
    value: landingFormSecret
    contentType: 'HMAC-SHA256 key (LANDING_FORM_SECRET)'
  }
}

resource isvWebhookSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'isv-webhook-secret'
  properties: {
    value: isvWebhookSecret
    contentType: 'HMAC-SHA256 key (ISV_WEBHOOK_SECRET)'
  }
}

resource marketplaceClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeMarketplaceClientSecret) {
  parent: vault
  name: 'marketplace-client-secret'
  properties: {
    value: marketplaceClientSecret
    contentType: 'Entra client secret (MARKETPLACE_CLIENT_SECRET)'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output landingFormSecretUri string = landingFormSecretValue.properties.secretUri
output isvWebhookSecretUri string = isvWebhookSecretValue.properties.secretUri
output marketplaceClientSecretUri string = storeMarketplaceClientSecret ? marketplaceClientSecretValue.properties.secretUri : ''
