// The Function App (dotnet-isolated, .NET 10, Linux) and its plan.
//
// FlexConsumption: FC1 plan, functionAppConfig carries runtime, scale and the deployment
//   container (read with the user-assigned identity). FUNCTIONS_WORKER_RUNTIME and
//   FUNCTIONS_EXTENSION_VERSION are not app settings on Flex; the platform owns them.
// ElasticPremium: EP1 plan with runtime scale monitoring on (the scale controller cannot see
//   Kafka lag otherwise). No Azure Files content share (it would need an account key): the app
//   runs from a package blob fetched with the user-assigned identity.
//
// Every setting the application reads is listed in infra/app-settings.json; the infrastructure
// tests fail if this module and that list disagree.

@description('Required. Name of the App Service plan.')
param planName string

@description('Required. Name of the Function App (globally unique host name).')
param functionAppName string

@description('Required. Region.')
param location string

@description('Optional. Tags.')
param tags object = {}

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
@description('Required. Hosting plan kind.')
param hostingPlan string

@description('Required. Name of the user-assigned identity the app runs as.')
param identityName string

@description('Required. Name of the storage account (host storage, deployment package, event queues and containers).')
param storageAccountName string

@description('Optional. Storage accounts holding shard queues only (main.bicep shardStorageAccountCount - 1 of them): connections EventStorage2, EventStorage3, ...')
param shardStorageAccountNames array = []

@description('Optional. Sharded routes, { queue, count } each with count > 1: become Routing__Shards__<n>__Queue/__Count.')
param queueShards array = []

@description('Required. Name of the Application Insights component.')
param applicationInsightsName string

@description('Required. Name of the Key Vault holding the SASL credentials.')
param keyVaultName string

@description('Required. Key Vault secret name of the SASL username.')
param kafkaUsernameSecretName string

@description('Required. Key Vault secret name of the SASL password.')
param kafkaPasswordSecretName string

@description('Required. Kafka bootstrap servers.')
param kafkaBootstrapServers string

@allowed([
  'Plain'
  'ScramSha256'
  'ScramSha512'
])
@description('Required. SASL mechanism: Plain, ScramSha256 or ScramSha512.')
param kafkaSaslMechanism string

@description('Required. Kafka consumer group id.')
param kafkaConsumerGroup string

@description('Required. Notifications topic name.')
param kafkaNotificationsTopic string

@description('Required. Prices topic name.')
param kafkaPricesTopic string

@description('Required. Blob container holding the app package.')
param deploymentContainerName string

@description('Optional. Flex Consumption instance memory in MB.')
param flexInstanceMemoryMB int = 2048

@description('Optional. Flex Consumption maximum instance count.')
param flexMaximumInstanceCount int = 40

@description('Optional. Elastic Premium maximum burst instance count.')
param premiumMaximumElasticWorkerCount int = 20

@description('Optional. Elastic Premium always-warm instance count.')
param premiumMinimumInstanceCount int = 1

@description('Optional. Elastic Premium package blob name inside the deployment container.')
param premiumPackageBlobName string = 'eventrouter-functions.zip'

var isFlex = hostingPlan == 'FlexConsumption'
var dotnetVersion = '10.0'

// The app has a Kafka-triggered function per topic and SASL mechanism (the extension takes the
// mechanism as a compile-time enum), named <topic><mechanism>. The functions of kafkaSaslMechanism
// run; the others are disabled, so one build of the app serves environments with any mechanism.
// The names are the app's (EventRouter.Hosting.KafkaTriggerFunctions); a test keeps them equal.
var kafkaFunctionNames = flatten(map(['Notifications', 'Prices'], topic => map(['Plain', 'ScramSha256', 'ScramSha512'], mechanism => '${topic}${mechanism}')))
var kafkaFunctionDisabledSettings = toObject(
  kafkaFunctionNames,
  name => 'AzureWebJobs.${name}.Disabled',
  name => endsWith(name, kafkaSaslMechanism) ? 'false' : 'true'
)

// Routing:Shards and Routing:ShardConnections, in the list form app-setting names allow. Shard i of a
// route lives in ShardConnections[i % count]: EventStorage (the main account), then EventStorage2, ...
// Each extra connection is identity-based like EventStorage, queues only (blobs stay in the main account).
var shardConnectionNames = concat(['EventStorage'], map(range(2, length(shardStorageAccountNames)), n => 'EventStorage${n}'))
var shardAppSettings = union(
  toObject(range(0, length(queueShards)), i => 'Routing__Shards__${i}__Queue', i => queueShards[i].queue),
  toObject(range(0, length(queueShards)), i => 'Routing__Shards__${i}__Count', i => string(queueShards[i].count)),
  empty(shardStorageAccountNames) ? {} : toObject(range(0, length(shardConnectionNames)), i => 'Routing__ShardConnections__${i}', i => shardConnectionNames[i]),
  toObject(range(0, length(shardStorageAccountNames)), i => 'EventStorage${i + 2}__queueServiceUri', i => 'https://${shardStorageAccountNames[i]}.queue.${environment().suffixes.storage}/'),
  toObject(range(0, length(shardStorageAccountNames)), i => 'EventStorage${i + 2}__credential', i => 'managedidentity'),
  toObject(range(0, length(shardStorageAccountNames)), i => 'EventStorage${i + 2}__clientId', i => identity.properties.clientId)
)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: isFlex ? {
    name: 'FC1'
    tier: 'FlexConsumption'
  } : {
    name: 'EP1'
    tier: 'ElasticPremium'
  }
  properties: {
    reserved: true
    maximumElasticWorkerCount: isFlex ? null : premiumMaximumElasticWorkerCount
  }
}

var blobEndpoint = storageAccount.properties.primaryEndpoints.blob
var keyVaultSecretsUri = '${vault.properties.vaultUri}secrets/'

// Settings both plans share. Names use '__' where the code's configuration uses ':'.
var commonAppSettings = {
  // Functions host storage, identity-based (no AzureWebJobsStorage connection string).
  AzureWebJobsStorage__accountName: storageAccount.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId

  // Telemetry with Microsoft Entra authentication (local auth is disabled on the component).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'

  // The provider's Kafka cluster. Username and password are Key Vault references (versionless:
  // a rotated secret is picked up within 24 hours, or at once after a refresh; see docs/deploy.md).
  Kafka__BootstrapServers: kafkaBootstrapServers
  Kafka__SecurityProtocol: 'SaslSsl'
  Kafka__SaslMechanism: kafkaSaslMechanism
  Kafka__Username: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsUri}${kafkaUsernameSecretName}/)'
  Kafka__Password: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretsUri}${kafkaPasswordSecretName}/)'
  Kafka__ConsumerGroup: kafkaConsumerGroup
  Kafka__Topics__Notifications: kafkaNotificationsTopic
  Kafka__Topics__Prices: kafkaPricesTopic

  // EventRouter's queues and blob containers, identity-based.
  EventStorage__queueServiceUri: storageAccount.properties.primaryEndpoints.queue
  EventStorage__blobServiceUri: blobEndpoint
  EventStorage__credential: 'managedidentity'
  EventStorage__clientId: identity.properties.clientId
}

var premiumAppSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  WEBSITE_RUN_FROM_PACKAGE: '${blobEndpoint}${deploymentContainerName}/${premiumPackageBlobName}'
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identity.id
}

var flexSiteConfig = {
  minTlsVersion: '1.2'
  scmMinTlsVersion: '1.2'
  ftpsState: 'Disabled'
  http20Enabled: true
}

var premiumSiteConfig = {
  linuxFxVersion: 'DOTNET-ISOLATED|${dotnetVersion}'
  functionsRuntimeScaleMonitoringEnabled: true
  minimumElasticInstanceCount: premiumMinimumInstanceCount
  use32BitWorkerProcess: false
  minTlsVersion: '1.2'
  scmMinTlsVersion: '1.2'
  ftpsState: 'Disabled'
  http20Enabled: true
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, {
    'azd-service-name': 'functions'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: isFlex ? {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: flexInstanceMemoryMB
        maximumInstanceCount: flexMaximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    } : null
    siteConfig: isFlex ? flexSiteConfig : premiumSiteConfig
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(commonAppSettings, shardAppSettings, kafkaFunctionDisabledSettings, isFlex ? {} : premiumAppSettings)
}

resource basicPublishingFtp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource basicPublishingScm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output functionAppName string = functionApp.name
output planName string = plan.name
output defaultHostName string = functionApp.properties.defaultHostName
