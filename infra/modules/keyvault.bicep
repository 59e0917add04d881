// Key Vault for the provider's SASL credentials. Access is by Azure RBAC only (no access
// policies); the app reads the secrets through Key Vault references with its user-assigned
// identity (Key Vault Secrets User, granted in rbac.bicep).
//
// A secret is written only when its value is passed. Later deployments that pass nothing keep
// whatever was stored (for example after a rotation with `az keyvault secret set`).

@description('Required. Key Vault name (3-24 characters, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Region.')
param location string

@description('Optional. Tags.')
param tags object = {}

@description('Optional. Turn on purge protection (irreversible).')
param purgeProtection bool = false

@description('Required. Name of the secret holding the SASL username.')
param usernameSecretName string

@description('Required. Name of the secret holding the SASL password.')
param passwordSecretName string

@secure()
@description('Optional. SASL username to store; empty keeps the stored value.')
param username string = ''

@secure()
@description('Optional. SASL password to store; empty keeps the stored value.')
param password string = ''

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
    softDeleteRetentionInDays: 90
    // Key Vault rejects an explicit false once purge protection exists, so omit it instead.
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource usernameSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(username)) {
  parent: vault
  name: usernameSecretName
  properties: {
    value: username
    contentType: 'text/plain'
  }
}

resource passwordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(password)) {
  parent: vault
  name: passwordSecretName
  properties: {
    value: password
    contentType: 'text/plain'
  }
}

output name string = vault.name
output vaultUri string = vault.properties.vaultUri
