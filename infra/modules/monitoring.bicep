// Log Analytics workspace and a workspace-based Application Insights component. Local
// (instrumentation-key) authentication is off: telemetry is accepted only from principals with
// Monitoring Metrics Publisher, which rbac.bicep grants the app's identity.

@description('Required. Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Required. Name of the Application Insights component.')
param applicationInsightsName string

@description('Required. Region.')
param location string

@description('Optional. Tags.')
param tags object = {}

@minValue(30)
@maxValue(730)
@description('Optional. Workspace retention in days.')
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output logAnalyticsName string = workspace.name
output applicationInsightsName string = applicationInsights.name
