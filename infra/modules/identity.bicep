// The user-assigned identity the Function App (and, outside Azure, an operator's self-hosted
// worker if it runs under it) uses for storage, Key Vault references and telemetry.

@description('Required. Name of the user-assigned managed identity.')
param name string

@description('Required. Region.')
param location string

@description('Optional. Tags.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output name string = identity.name
output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
