// Log alert rules (scheduled queries) over the Application Insights component, and the one action
// group they notify. Each rule's threshold is a parameter; the queries name only instruments,
// attributes and log event names the code emits (the infrastructure tests check them against the
// Meter and the log definitions). Lag and record counts come from the self-hosted worker's Kafka
// source (`eventrouter run`); the Functions app's Kafka trigger does not report them, so the lag and
// stuck-consumer rules stay quiet for a Functions-only deployment. See docs/operations.md,
// "Dashboards and alerts".

@description('Required. Name of the Application Insights component the rules query.')
param applicationInsightsName string

@description('Required. Short name of the deployment (environment), part of every rule\'s name.')
param environmentName string

@description('Required. Region of the rules.')
param location string

@description('Optional. Tags.')
param tags object = {}

@description('Optional. Email address the action group notifies; empty: an action group without receivers (add them in the portal).')
param emailAddress string = ''

@minValue(0)
@description('Optional. Alert when more records than this were written to events-poison within 5 minutes.')
param poisonedThreshold int = 0

@minValue(1)
@description('Optional. Alert when a partition\'s consumer lag (records) stays above this for 10 minutes.')
param lagThreshold int = 10000

@minValue(0)
@description('Optional. Stuck consumer: alert when a topic routed no record for 30 minutes while one of its partitions had more lag (records) than this.')
param stuckLagThreshold int = 0

@minValue(1)
@maxValue(100)
@description('Optional. Alert when more than this percentage of a function\'s invocations failed within 15 minutes (at least 10 invocations).')
param functionFailurePercent int = 5

@minValue(0)
@description('Optional. Alert when more messages than this moved into one <queue>-poison queue within 15 minutes.')
param poisonQueueGrowthThreshold int = 0

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-eventrouter-${environmentName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('evrouter-${environmentName}', 12)
    enabled: true
    emailReceivers: empty(emailAddress)
      ? []
      : [
          {
            name: 'operators'
            emailAddress: emailAddress
            useCommonAlertSchema: true
          }
        ]
  }
}

type rule = {
  @description('Rule name suffix.')
  name: string
  displayName: string
  description: string
  severity: int
  windowSize: string
  query: string
  timeAggregation: 'Count' | 'Total' | 'Average' | 'Minimum' | 'Maximum'
  metricMeasureColumn: string
  dimensions: string[]
  threshold: int
}

var rules rule[] = [
  {
    name: 'poisoned'
    displayName: 'EventRouter ${environmentName}: records poisoned'
    description: 'Records were written to events-poison (invalid JSON, missing fields, ...) in the last 5 minutes: look at them with `eventrouter poison list`.'
    severity: 2
    windowSize: 'PT5M'
    query: '''
customMetrics
| where name == 'eventrouter.events.poisoned'
| extend reason = tostring(customDimensions['eventrouter.poison.reason'])
| summarize poisoned = sum(valueSum) by reason
'''
    timeAggregation: 'Total'
    metricMeasureColumn: 'poisoned'
    dimensions: ['reason']
    threshold: poisonedThreshold
  }
  {
    name: 'lag'
    displayName: 'EventRouter ${environmentName}: consumer lag'
    description: 'A partition\'s consumer lag stayed above the threshold for 10 minutes (its lowest value in the window is above it).'
    severity: 2
    windowSize: 'PT10M'
    query: '''
customMetrics
| where name == 'eventrouter.kafka.consumer.lag'
| extend topic = tostring(customDimensions['messaging.destination.name']), partition = tostring(customDimensions['messaging.destination.partition.id'])
| summarize lag = min(value) by topic, partition
'''
    timeAggregation: 'Minimum'
    metricMeasureColumn: 'lag'
    dimensions: ['topic', 'partition']
    threshold: lagThreshold
  }
  {
    name: 'stuck-consumer'
    displayName: 'EventRouter ${environmentName}: consumer stuck'
    description: 'A topic routed no record for 30 minutes while it had lag: the consumer is connected but not moving (storage failing, a paused partition, a bug).'
    severity: 1
    windowSize: 'PT30M'
    query: '''
customMetrics
| where name in ('eventrouter.kafka.consumer.lag', 'eventrouter.kafka.records')
| extend topic = tostring(customDimensions['messaging.destination.name'])
| summarize lag = maxif(value, name == 'eventrouter.kafka.consumer.lag'), records = sumif(valueSum, name == 'eventrouter.kafka.records') by topic
| where records == 0
| project topic, lag
'''
    timeAggregation: 'Maximum'
    metricMeasureColumn: 'lag'
    dimensions: ['topic']
    threshold: stuckLagThreshold
  }
  {
    name: 'function-failures'
    displayName: 'EventRouter ${environmentName}: function failure rate'
    description: 'More than the threshold percentage of a function\'s invocations failed in the last 15 minutes (functions with at least 10 invocations).'
    severity: 2
    windowSize: 'PT15M'
    query: '''
requests
| summarize invocations = count(), failed = countif(success == false) by operation_Name
| where invocations >= 10
| extend failedPercent = 100.0 * failed / invocations
| project operation_Name, failedPercent
'''
    timeAggregation: 'Maximum'
    metricMeasureColumn: 'failedPercent'
    dimensions: ['operation_Name']
    threshold: functionFailurePercent
  }
  {
    name: 'poison-queue-growing'
    displayName: 'EventRouter ${environmentName}: a poison queue is growing'
    description: 'Messages moved into a <queue>-poison queue in the last 15 minutes: a handler kept failing or a message was not a routed envelope. Re-drive them with `eventrouter poison redrive` once fixed.'
    severity: 2
    windowSize: 'PT15M'
    query: '''
union
  (customMetrics
   | where name == 'eventrouter.queue.messages.poisoned'
   | extend queue = strcat(tostring(customDimensions['messaging.destination.name']), '-poison')
   | summarize moved = sum(valueSum) by queue),
  (traces
   | where message startswith 'Message has reached MaxDequeueCount'
   | parse message with * "Moving message to queue '" queue "'" *
   | summarize moved = todouble(count()) by queue)
| summarize moved = sum(moved) by queue
'''
    timeAggregation: 'Total'
    metricMeasureColumn: 'moved'
    dimensions: ['queue']
    threshold: poisonQueueGrowthThreshold
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for r in rules: {
    name: 'alert-eventrouter-${environmentName}-${r.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: r.displayName
      description: r.description
      severity: r.severity
      enabled: true
      evaluationFrequency: 'PT5M'
      windowSize: r.windowSize
      scopes: [
        applicationInsights.id
      ]
      criteria: {
        allOf: [
          {
            query: r.query
            timeAggregation: r.timeAggregation
            metricMeasureColumn: r.metricMeasureColumn
            dimensions: [
              for d in r.dimensions: {
                name: d
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            operator: 'GreaterThan'
            threshold: r.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupName string = actionGroup.name
output ruleNames string[] = [for (r, i) in rules: alertRules[i].name]
