// Parameters of the sandbox deployment: the values the provider issued for its sandbox environment
// (none of them is a secret) and this environment's sizing. Compile or deploy with
//   az deployment group create -g rg-eventrouter-sandbox -f infra/main.bicep -p infra/env/sandbox.bicepparam
// KAFKA_BOOTSTRAP_SERVERS must hold the provider's host:port list (or replace the call below with it);
// without it the file does not compile, so nothing deploys against an empty broker list.
using '../main.bicep'

param environmentName = 'sandbox'
param providerEnvironment = 'sandbox'
param hostingPlan = 'FlexConsumption'
param kafkaBootstrapServers = readEnvironmentVariable('KAFKA_BOOTSTRAP_SERVERS')
param kafkaSaslMechanism = 'ScramSha512'
param kafkaConsumerGroup = 'eventrouter-sandbox'
param kafkaNotificationsTopic = 'Notifications'
param kafkaPricesTopic = 'Prices'
param flexInstanceMemoryMB = 2048
param flexMaximumInstanceCount = 40
param premiumMaximumElasticWorkerCount = 3
param premiumMinimumInstanceCount = 1
param storageSku = 'Standard_LRS'
param logRetentionInDays = 30
param keyVaultPurgeProtection = false
