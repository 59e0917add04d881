// Parameters of the production deployment: the values the provider issued for its production environment
// (none of them is a secret) and this environment's sizing. Compile or deploy with
//   az deployment group create -g rg-eventrouter-production -f infra/main.bicep -p infra/env/production.bicepparam
// KAFKA_BOOTSTRAP_SERVERS must hold the provider's host:port list (or replace the call below with it);
// without it the file does not compile, so nothing deploys against an empty broker list.
using '../main.bicep'

param environmentName = 'production'
param providerEnvironment = 'production'
param hostingPlan = 'FlexConsumption'
param kafkaBootstrapServers = readEnvironmentVariable('KAFKA_BOOTSTRAP_SERVERS')
param kafkaSaslMechanism = 'ScramSha512'
param kafkaConsumerGroup = 'eventrouter-production'
param kafkaNotificationsTopic = 'Notifications'
param kafkaPricesTopic = 'Prices'
param flexInstanceMemoryMB = 2048
param flexMaximumInstanceCount = 100
param premiumMaximumElasticWorkerCount = 20
param premiumMinimumInstanceCount = 1
param storageSku = 'Standard_ZRS'
param logRetentionInDays = 90
param keyVaultPurgeProtection = true
