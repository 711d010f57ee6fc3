// Alert rules on the app's OpenTelemetry metrics (meter `saas-fulfillment`), which Application
// Insights stores in `customMetrics`: one scheduled query rule each, evaluated over the Application
// Insights resource. Each query returns a row only when the rule should fire (threshold: rows > 0).
// An action group mails `alertEmail` when it is set.

param namePrefix string
param location string
param tags object

@description('Resource id of the Application Insights component that receives the app\'s metrics.')
param appInsightsId string

@description('E-mail address notified by the alerts; empty: no action group.')
param alertEmail string = ''

@minValue(0)
@description('Alert when one hour of reconciliation finds more drifted subscriptions than this.')
param driftThreshold int = 5

@minValue(1)
@maxValue(100)
@description('Alert when more than this percentage of Marketplace API calls in 15 minutes fail (5xx, 429, or no answer).')
param marketplaceFailurePercent int = 10

@minValue(1)
@description('The Marketplace failure rule needs at least this many calls in its window, so that one failed call at night is no incident.')
param marketplaceMinimumCalls int = 20

var rules = [
  {
    name: 'poison-messages'
    displayName: 'saas-fulfillment: messages moved to a poison queue'
    description: 'A queue message failed every attempt and was moved to <queue>-poison. Inspect it with GET /api/ops/poison/{queue}, fix the cause, then POST /api/ops/poison/{queue}/replay.'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'customMetrics | where name == "queue.poisoned" | summarize poisoned = sum(valueSum) by queue = tostring(customDimensions["queue"]) | where poisoned > 0'
  }
  {
    name: 'readiness-failing'
    displayName: 'saas-fulfillment: readiness check failing'
    description: 'GET /api/health/ready reported a failing check (storage, Marketplace token or API, webhook signing keys, your endpoints, poison queues or stale runs). The check dimension names it; the readiness answer says what to fix.'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'customMetrics | where name == "readiness.check_failed" | summarize failures = sum(valueSum) by check = tostring(customDimensions["check"]) | where failures > 0'
  }
  {
    name: 'usage-rejected'
    displayName: 'saas-fulfillment: usage events rejected or expired'
    description: 'The metering API refused usage events, or they expired before they could be sent: that usage is not billed. GET /api/usage?subscriptionId=... shows each hour\'s result and reason.'
    severity: 2
    frequency: 'PT1H'
    window: 'PT1H'
    query: 'customMetrics | where name == "usage.events_emitted" | extend result = tostring(customDimensions["result"]) | where result in ("rejected", "expired") | summarize events = sum(valueSum) by result | where events > 0'
  }
  {
    name: 'reconciliation-drift'
    displayName: 'saas-fulfillment: reconciliation found drift'
    description: 'Reconciliation found more subscriptions whose stored state differed from Microsoft\'s than the threshold: webhooks are being missed or failing. Each repair wrote a Drift history row.'
    severity: 2
    frequency: 'PT1H'
    window: 'PT1H'
    query: 'customMetrics | where name == "reconciliation.drift" and tostring(customDimensions["kind"]) == "found" | summarize drift = sum(valueSum) | where drift > ${driftThreshold}'
  }
  {
    name: 'marketplace-failing'
    displayName: 'saas-fulfillment: Marketplace API calls failing'
    description: 'Too many Marketplace API calls answered 5xx or 429 or got no answer. 5xx and timeouts: Microsoft\'s side (retries and reconciliation catch up); 429: calls are being throttled.'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'customMetrics | where name == "marketplace.calls" | extend status = tostring(customDimensions["status"]) | extend failing = status == "429" or isnull(toint(status)) or toint(status) >= 500 | summarize calls = sum(valueSum), failed = sumif(valueSum, failing) | where calls >= ${marketplaceMinimumCalls} and failed * 100.0 / calls > ${marketplaceFailurePercent}'
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'saasfulfil'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [
  for rule in rules: {
    name: 'alert-${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      evaluationFrequency: rule.frequency
      windowSize: rule.window
      scopes: [
        appInsightsId
      ]
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: empty(alertEmail) ? [] : [
          actionGroup.id
        ]
      }
    }
  }
]

output ruleNames array = [for (rule, i) in rules: alertRules[i].name]
