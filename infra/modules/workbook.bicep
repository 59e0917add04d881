// An Azure Monitor workbook over the Application Insights component both hosts send to: routed per
// queue, poisoned per reason, lag per partition, record delay, commit failures, function failures
// and durations, and what the poison queues grew by. Its content is eventrouter.workbook.json (edit
// it in the portal's Advanced Editor and paste it back); the queries name only instruments and
// attributes the code emits, which the infrastructure tests check against the Meter.

@description('Required. Name of the Application Insights component the workbook reads.')
param applicationInsightsName string

@description('Required. Short name of the deployment (environment), shown in the workbook\'s title.')
param environmentName string

@description('Required. Region.')
param location string

@description('Optional. Tags.')
param tags object = {}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var content = loadJsonContent('eventrouter.workbook.json')

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name is a GUID; derived, so a redeployment updates the same workbook.
  name: guid(resourceGroup().id, applicationInsights.id, 'eventrouter-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'EventRouter (${environmentName})'
    category: 'workbook'
    sourceId: applicationInsights.id
    version: 'Notebook/1.0'
    serializedData: string(union(content, {
      fallbackResourceIds: [
        applicationInsights.id
      ]
    }))
  }
}

output name string = workbook.name
