// EventRouter: Azure resources for one environment (sandbox or production) in one resource group.
//
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/env/sandbox.bicepparam
//   azd up            (azure.yaml at the repository root; parameters from infra/main.parameters.json)
//
// See docs/deploy.md. CI compiles and lints every template with the Bicep CLI (a warning fails the
// build unless suppressed next to its line, with the reason) and tests what the deployment engine
// predicts from it (`bicep snapshot`); `az deployment group what-if` belongs to the deploy pipeline.

targetScope = 'resourceGroup'

@minLength(1)
@maxLength(20)
@description('Required. Short name of this deployment, lower-case letters, digits and hyphens (for example sandbox or production); part of every resource name.')
param environmentName string

@allowed([
  'sandbox'
  'production'
])
@description('Required. Which of the provider\'s environments this deployment reads from. The provider issues separate credentials and bootstrap servers for each.')
param providerEnvironment string

@description('Optional. Region for all resources. Defaults to the resource group\'s region; Flex Consumption is not offered in every region.')
param location string = resourceGroup().location

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
@description('Optional. FlexConsumption (FC1, per-function scaling, Kafka trigger supported) or ElasticPremium (EP1, runtime scale monitoring enabled for the Kafka trigger).')
param hostingPlan string = 'FlexConsumption'

@minLength(1)
@description('Required. Kafka bootstrap servers as host:port[,host:port], exactly as the provider issued them for this environment.')
param kafkaBootstrapServers string

@allowed([
  'Plain'
  'ScramSha256'
  'ScramSha512'
])
@description('Required. SASL mechanism the provider issued for this environment. The app runs the Kafka functions of this mechanism and the template disables the others (AzureWebJobs.<function>.Disabled), so one build serves every environment.')
param kafkaSaslMechanism string

@minLength(1)
@description('Required. Kafka consumer group id. Use a different group per environment and per deployment that must see every event.')
param kafkaConsumerGroup string

@description('Optional. Name of the provider\'s notifications topic, exactly as issued.')
param kafkaNotificationsTopic string = 'Notifications'

@description('Optional. Name of the provider\'s prices topic, exactly as issued.')
param kafkaPricesTopic string = 'Prices'

@secure()
@description('Optional. SASL username. When non-empty it is written to Key Vault; leave empty on later deployments to keep the stored secret (see docs/deploy.md, "Rotate the SASL secret").')
param kafkaUsername string = ''

@secure()
@description('Optional. SASL password. When non-empty it is written to Key Vault; leave empty on later deployments to keep the stored secret.')
param kafkaPassword string = ''

@allowed([
  2048
  4096
])
@description('Optional. Flex Consumption instance memory in MB.')
param flexInstanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Optional. Flex Consumption maximum instance count for the app.')
param flexMaximumInstanceCount int = 40

@minValue(1)
@maxValue(100)
@description('Optional. Elastic Premium maximum burst instance count for the plan.')
param premiumMaximumElasticWorkerCount int = 20

@minValue(1)
@maxValue(20)
@description('Optional. Elastic Premium instances kept warm at all times.')
param premiumMinimumInstanceCount int = 1

@description('Optional. Elastic Premium only: name of the package blob in the deployment container that the app runs from (WEBSITE_RUN_FROM_PACKAGE with managed identity; no Azure Files, so no account key).')
param premiumPackageBlobName string = 'eventrouter-functions.zip'

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
@description('Optional. Storage account redundancy. Zone-redundant in production by default.')
param storageSku string = providerEnvironment == 'production' ? 'Standard_ZRS' : 'Standard_LRS'

@minValue(30)
@maxValue(730)
@description('Optional. Log Analytics retention in days.')
param logRetentionInDays int = 30

@description('Optional. Turn on Key Vault purge protection. It cannot be turned off again; on by default in production.')
param keyVaultPurgeProtection bool = providerEnvironment == 'production'

@description('Optional. Object id of a person or group that operates this environment: gets Key Vault Secrets Officer (rotation) and queue/blob data access (poison tooling). Empty grants nothing.')
param operatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Optional. Kind of principal operatorPrincipalId is.')
param operatorPrincipalType string = 'User'

@description('Optional. Extra tags for every resource.')
param tags object = {}

@description('Optional. Deploy the EventRouter workbook (Azure Monitor) over Application Insights.')
param workbookEnabled bool = true

@description('Optional. Deploy the log alert rules and their action group.')
param alertsEnabled bool = true

@description('Optional. Email address the alerts notify. Empty: the action group has no receivers (add them in the portal).')
param alertEmailAddress string = ''

@minValue(0)
@description('Optional. Alert when more records than this were written to events-poison within 5 minutes.')
param alertPoisonedThreshold int = 0

@minValue(1)
@description('Optional. Alert when a partition\'s consumer lag (records) stays above this for 10 minutes.')
param alertLagThreshold int = 10000

@minValue(0)
@description('Optional. Stuck consumer: alert when a topic routed no record for 30 minutes while one of its partitions had more lag (records) than this.')
param alertStuckLagThreshold int = 0

@minValue(1)
@maxValue(100)
@description('Optional. Alert when more than this percentage of a function\'s invocations failed within 15 minutes (at least 10 invocations).')
param alertFunctionFailurePercent int = 5

@minValue(0)
@description('Optional. Alert when more messages than this moved into one <queue>-poison queue within 15 minutes.')
param alertPoisonQueueGrowthThreshold int = 0

@description('Optional. Routes spread over several queues (the worker\'s Routing:Shards): each { queue: \'prices\', count: 4 } adds the queues <queue>-0 ... <queue>-<count-1>, each with its -poison twin, beside <queue> (kept for what was written before sharding). A count of 1 leaves the queue as it is. Default: infra/shards.json, which the Functions app\'s build also reads to write one queue trigger per shard (docs/functions.md, "Sharded routes"): change the file, not this parameter, when the app is deployed too.')
param queueShards array?

@minValue(1)
@maxValue(9)
@description('Optional. Storage accounts the shard queues spread over (Routing:ShardConnections): shard i lives in account i % count. The first is the main account (host storage, blobs, every unsharded queue); the others hold shard queues only. One account takes about 20,000 messages/s (docs/performance.md, "Capacity"). Default: infra/shards.json, as queueShards.')
param shardStorageAccountCount int?

// ---------------------------------------------------------------------------------------------
// Queues and containers: one list (routes.json), names derived here and nowhere else.
// A category queue is 'events-' + the category in lower case with '_' replaced by '-'.
// Every queue a Functions queue trigger reads gets its '<queue>-poison' twin; events-poison is
// written by the router and read by operators only, so it has no twin.
// ---------------------------------------------------------------------------------------------
var routes = loadJsonContent('routes.json')
var categoryQueueNames = [for category in routes.categories: 'events-${replace(toLower(category), '_', '-')}']
var routedQueueNames = concat(categoryQueueNames, routes.extraQueues)
// Shard i of every sharded route lives in account i % count.
// The shard choice: infra/shards.json unless the parameters override it (the Functions app's build
// reads the same file for its shard triggers, ShardTriggers.targets).
var shardChoice = loadJsonContent('shards.json')
var shardAccountCount = shardStorageAccountCount ?? shardChoice.shardStorageAccountCount
var effectiveShards = filter(queueShards ?? shardChoice.queueShards, shard => shard.count > 1)
var shardQueues = flatten(map(effectiveShards, shard => map(range(0, shard.count), i => {
  name: '${shard.queue}-${i}'
  account: i % shardAccountCount
})))
var shardQueueNamesByAccount = [for account in range(0, shardAccountCount): map(filter(shardQueues, queue => queue.account == account), queue => queue.name)]
// A sharded route keeps its own queue: what was written there before sharding is still read.
var triggeredQueueNames = concat(routedQueueNames, shardQueueNamesByAccount[0])
var poisonTwinQueueNames = [for queue in triggeredQueueNames: '${queue}-poison']
var queueNames = concat(triggeredQueueNames, [routes.poisonQueue], poisonTwinQueueNames)
var deploymentContainerName = 'app-package'
var containerNames = concat(routes.containers, [deploymentContainerName])

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var envSlug = toLower(replace(environmentName, '-', ''))
var allTags = union(tags, {
  'azd-env-name': environmentName
  application: 'eventrouter'
  'provider-environment': providerEnvironment
})
var identityName = 'id-eventrouter-${environmentName}-${resourceToken}'
var logAnalyticsName = 'log-eventrouter-${environmentName}-${resourceToken}'
var applicationInsightsName = 'appi-eventrouter-${environmentName}-${resourceToken}'
var keyVaultName = 'kv-${take(envSlug, 6)}-${resourceToken}'
var storageAccountName = 'st${take(envSlug, 9)}${resourceToken}'
// The accounts that hold shard queues only: st<env><n><token>, n = 2..9.
var shardStorageAccountNames = [for n in range(2, shardAccountCount - 1): 'st${take(envSlug, 8)}${n}${resourceToken}']
var planName = 'plan-eventrouter-${environmentName}-${resourceToken}'
var functionAppName = 'func-eventrouter-${environmentName}-${resourceToken}'
var kafkaUsernameSecretName = 'kafka-sasl-username'
var kafkaPasswordSecretName = 'kafka-sasl-password'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: allTags
    sku: storageSku
    queueNames: queueNames
    containerNames: containerNames
  }
}

module shardStorage 'modules/storage.bicep' = [for (name, i) in shardStorageAccountNames: {
  name: 'storage-${i + 2}'
  params: {
    name: name
    location: location
    tags: allTags
    sku: storageSku
    queueNames: concat(shardQueueNamesByAccount[i + 1], map(shardQueueNamesByAccount[i + 1], queue => '${queue}-poison'))
    containerNames: []
  }
}]

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: keyVaultName
    location: location
    tags: allTags
    purgeProtection: keyVaultPurgeProtection
    usernameSecretName: kafkaUsernameSecretName
    passwordSecretName: kafkaPasswordSecretName
    username: kafkaUsername
    password: kafkaPassword
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    shardStorageAccountNames: [for i in range(0, length(shardStorageAccountNames)): shardStorage[i].outputs.name]
    deploymentContainerName: deploymentContainerName
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module functions 'modules/functions.bicep' = {
  name: 'functions'
  params: {
    planName: planName
    functionAppName: functionAppName
    location: location
    tags: allTags
    hostingPlan: hostingPlan
    identityName: identity.outputs.name
    storageAccountName: storage.outputs.name
    shardStorageAccountNames: [for i in range(0, length(shardStorageAccountNames)): shardStorage[i].outputs.name]
    queueShards: effectiveShards
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    kafkaUsernameSecretName: kafkaUsernameSecretName
    kafkaPasswordSecretName: kafkaPasswordSecretName
    kafkaBootstrapServers: kafkaBootstrapServers
    kafkaSaslMechanism: kafkaSaslMechanism
    kafkaConsumerGroup: kafkaConsumerGroup
    kafkaNotificationsTopic: kafkaNotificationsTopic
    kafkaPricesTopic: kafkaPricesTopic
    deploymentContainerName: deploymentContainerName
    flexInstanceMemoryMB: flexInstanceMemoryMB
    flexMaximumInstanceCount: flexMaximumInstanceCount
    premiumMaximumElasticWorkerCount: premiumMaximumElasticWorkerCount
    premiumMinimumInstanceCount: premiumMinimumInstanceCount
    premiumPackageBlobName: premiumPackageBlobName
  }
  dependsOn: [
    // The host and the Key Vault references need their roles before the app first starts.
    rbac
  ]
}

module workbook 'modules/workbook.bicep' = if (workbookEnabled) {
  name: 'workbook'
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    environmentName: environmentName
    location: location
    tags: allTags
  }
}

module alerts 'modules/alerts.bicep' = if (alertsEnabled) {
  name: 'alerts'
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    environmentName: environmentName
    location: location
    tags: allTags
    emailAddress: alertEmailAddress
    poisonedThreshold: alertPoisonedThreshold
    lagThreshold: alertLagThreshold
    stuckLagThreshold: alertStuckLagThreshold
    functionFailurePercent: alertFunctionFailurePercent
    poisonQueueGrowthThreshold: alertPoisonQueueGrowthThreshold
  }
}

// Outputs carry names and endpoints a deploy step needs; never keys, connection strings or secrets.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output EVENTROUTER_ENVIRONMENT string = environmentName
output EVENTROUTER_PROVIDER_ENVIRONMENT string = providerEnvironment
output EVENTROUTER_HOSTING_PLAN string = hostingPlan
output AZURE_FUNCTION_APP_NAME string = functions.outputs.functionAppName
output SERVICE_FUNCTIONS_NAME string = functions.outputs.functionAppName
output AZURE_FUNCTION_APP_PLAN_NAME string = functions.outputs.planName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_DEPLOYMENT_CONTAINER string = deploymentContainerName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output KAFKA_USERNAME_SECRET_NAME string = kafkaUsernameSecretName
#disable-next-line outputs-should-not-contain-secrets // the name of the Key Vault secret, not its value
output KAFKA_PASSWORD_SECRET_NAME string = kafkaPasswordSecretName
output AZURE_MANAGED_IDENTITY_NAME string = identity.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsName
output EVENTROUTER_QUEUE_COUNT int = length(queueNames) + 2 * length(flatten(skip(shardQueueNamesByAccount, 1)))
output AZURE_SHARD_STORAGE_ACCOUNT_NAMES array = shardStorageAccountNames
