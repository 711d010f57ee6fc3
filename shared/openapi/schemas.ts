import { SUBSCRIPTION_STATUSES } from '../subscription/model';
import { OPERATION_STATES } from '../storage';

/** JSON Schema objects (OpenAPI 3.0 dialect) of the admin API's bodies, under `components.schemas`. */
export type SchemaObject = Record<string, unknown>;

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): SchemaObject => (description === undefined ? { type: 'string' } : { type: 'string', description });
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const loose = (description: string): SchemaObject => ({ type: 'object', description, additionalProperties: true });

const party: SchemaObject = {
  type: 'object',
  properties: { emailId: str(), objectId: str(), tenantId: str(), puid: { type: 'string', nullable: true } },
};

export const SCHEMAS: Record<string, SchemaObject> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'invocationId'],
        properties: {
          code: str('Stable, machine-readable code (ValidationFailed, NotFound, MarketplaceRefused, …)'),
          message: str(),
          details: { type: 'object', additionalProperties: true, description: 'Client errors only: e.g. `issues` (one line per problem) or `statusUrl`.' },
          invocationId: str('Quote it when reporting a problem'),
        },
      },
    },
  },
  Subscription: {
    type: 'object',
    description: 'A SaaS subscription as this app stores it (field names follow the Marketplace API).',
    required: ['id', 'name', 'offerId', 'planId', 'status', 'term', 'autoRenew', 'isTest', 'isFreeTrial', 'allowedCustomerOperations', 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: str(),
      publisherId: str(),
      offerId: str(),
      planId: str(),
      quantity: { type: 'integer', minimum: 1, description: 'Seats, per-seat plans only' },
      status: { type: 'string', enum: [...SUBSCRIPTION_STATUSES] },
      term: { type: 'object', properties: { termUnit: str('P1M, P1Y, …'), startDate: dateTime, endDate: dateTime, chargeDuration: { type: 'string', nullable: true } } },
      autoRenew: { type: 'boolean' },
      isTest: { type: 'boolean' },
      isFreeTrial: { type: 'boolean' },
      sandboxType: str(),
      sessionMode: str(),
      allowedCustomerOperations: { type: 'array', items: str('Read, Update or Delete') },
      purchaser: party,
      beneficiary: party,
      createdAt: dateTime,
      updatedAt: dateTime,
      retainUntil: { ...dateTime, description: 'After Unsubscribe: keep the data at least until then' },
      personalDataErasedAt: { ...dateTime, description: 'When the personal data (name, e-mails, user ids) was erased; it is never stored again' },
      lastError: { type: 'object', properties: { code: str(), message: str(), at: dateTime } },
      appliedOperations: { type: 'array', items: str('Operation id'), description: 'The operations whose processing last changed the record, oldest first (at most 20)' },
    },
  },
  SubscriptionPage: {
    type: 'object',
    required: ['items'],
    properties: {
      items: { type: 'array', items: ref('Subscription') },
      continuationToken: str('Present when more may follow; pass it back as `continuationToken`'),
      nextLink: str('The next page with the same filters'),
    },
  },
  CatalogPlan: {
    type: 'object',
    description: 'A plan learned from List Available Plans, keyed by offer and plan together (private plans included).',
    required: ['offerId', 'planId', 'isPrivate', 'isStopSell', 'hasFreeTrials', 'isPricePerSeat', 'meteringDimensions', 'billingTerms', 'learnedAt'],
    properties: {
      offerId: str(),
      planId: str(),
      displayName: str(),
      description: str(),
      isPrivate: { type: 'boolean' },
      isStopSell: { type: 'boolean' },
      hasFreeTrials: { type: 'boolean' },
      isPricePerSeat: { type: 'boolean' },
      minQuantity: { type: 'integer' },
      maxQuantity: { type: 'integer' },
      market: str(),
      meteringDimensions: { type: 'array', items: loose('{ id, displayName, unitOfMeasure, pricePerUnit, currency }') },
      billingTerms: { type: 'array', items: loose('{ termUnit, termDescription, price, currency, meteredQuantityIncluded }') },
      learnedAt: dateTime,
      learnedFromSubscriptionId: str(),
      current: { type: 'boolean', description: 'The subscription is on this plan' },
    },
  },
  HistoryEntry: {
    type: 'object',
    required: ['subscriptionId', 'at', 'kind'],
    properties: {
      subscriptionId: str(),
      at: dateTime,
      kind: str('StatusChanged, PlanChanged, QuantityChanged, TermRenewed, Drift, ImportedFromMarketplace, PublisherChangeRequested, PublisherChangeFailed, OperationRecovered, …'),
      operationId: str(),
      from: { description: 'Previous values (any JSON)' },
      to: { description: 'New values (any JSON)' },
      detail: str(),
    },
  },
  SubscriptionDetail: {
    type: 'object',
    required: ['subscription', 'plans', 'history'],
    properties: {
      subscription: ref('Subscription'),
      plans: { type: 'array', items: ref('CatalogPlan') },
      history: {
        type: 'object',
        required: ['items'],
        properties: { items: { type: 'array', items: ref('HistoryEntry') }, continuationToken: str('Pass back as `historyContinuationToken`') },
      },
    },
  },
  ChangePlanRequest: { type: 'object', required: ['planId'], additionalProperties: false, properties: { planId: str('A plan List Available Plans offers to this subscription') } },
  ChangeQuantityRequest: {
    type: 'object',
    required: ['quantity'],
    additionalProperties: false,
    properties: { quantity: { type: 'integer', minimum: 1, description: "Within the current plan's minimum and maximum" } },
  },
  OperationStatus: {
    type: 'object',
    description: 'A publisher request (or a webhook operation) as the operation ledger records it.',
    required: ['id', 'subscriptionId', 'action', 'state', 'done', 'requestedAt', 'updatedAt', 'polls'],
    properties: {
      id: str('The request id (the status URL ends with it)'),
      subscriptionId: str(),
      action: str('ChangePlan, ChangeQuantity or Unsubscribe'),
      source: str('Publisher for requests made through this API'),
      state: { type: 'string', enum: [...OPERATION_STATES], description: 'Queued / Processing: being tracked; Completed; Failed (see error)' },
      done: { type: 'boolean', description: 'Final: nothing changes any more' },
      marketplaceStatus: str("Microsoft's last reported status: NotStarted, InProgress, Succeeded, Failed, Conflict (or `HTTP 409` for a refused request)"),
      marketplaceOperationId: str(),
      planId: str(),
      quantity: { type: 'integer' },
      requestedAt: dateTime,
      updatedAt: dateTime,
      polls: { type: 'integer' },
      localOutcome: str('applied (by the poll), alreadyApplied (the webhook was first), appliedByWebhook (the webhook finished it before the poll), superseded: … (a newer change followed; the record follows Microsoft), or why it was not applied'),
      error: { type: 'object', properties: { code: str('MarketplaceRefused, MarketplaceUnavailable, OperationFailed, OperationConflict, OperationNotFound, TimedOut'), message: str(), at: dateTime } },
      statusUrl: str('On the 202 answer only'),
    },
  },
  ReconcileReport: {
    type: 'object',
    required: ['runId', 'startedAt', 'finishedAt', 'seen', 'unchanged', 'repaired', 'deferred', 'imported', 'failed', 'unparseable', 'drift', 'operationsChecked', 'operationsRecovered', 'catalog', 'tableWrites', 'failures'],
    properties: {
      runId: str(),
      startedAt: dateTime,
      finishedAt: dateTime,
      seen: { type: 'integer', description: 'Subscriptions Microsoft listed' },
      unchanged: { type: 'integer' },
      repaired: { type: 'integer' },
      deferred: { type: 'integer', description: 'Drifted, but another worker was converging the subscription on Microsoft\'s state at the time; the next run looks again' },
      imported: { type: 'integer', description: 'Missing locally, created' },
      failed: { type: 'integer' },
      unparseable: { type: 'integer', description: 'Listed items that did not parse: skipped and logged with their id (also listed in failures); the rest was processed' },
      drift: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Repaired subscriptions per drifted field' },
      operationsChecked: { type: 'integer' },
      operationsRecovered: { type: 'integer', description: 'InProgress operations the webhook never delivered, handed to processing' },
      catalog: {
        type: 'object',
        description: 'Plan catalog refresh: List Available Plans asked once per offer and plan in use',
        properties: { asked: { type: 'integer' }, plansSaved: { type: 'integer' }, failed: { type: 'integer' } },
      },
      tableWrites: { type: 'object', properties: { subscriptions: { type: 'integer' }, history: { type: 'integer' }, operations: { type: 'integer' } } },
      failures: { type: 'array', items: { type: 'object', properties: { subscriptionId: str(), error: str() } } },
    },
  },
  ReadinessReport: {
    type: 'object',
    required: ['status', 'checkedAt', 'failing', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ready', 'unready'] },
      checkedAt: dateTime,
      failing: { type: 'array', items: str(), description: 'Names of the checks whose status is fail' },
      checks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'status', 'reason', 'durationMs'],
          properties: {
            name: str('tables, queues, poisonQueues, marketplaceToken, marketplaceApi, webhookSigningKeys, isvWebhook, isvDecision, reconciliationRun, usageEmissionRun (configuration alone when the settings are invalid)'),
            status: { type: 'string', enum: ['pass', 'warn', 'fail', 'skip'] },
            reason: str('What was found and what to fix; never a secret'),
            durationMs: { type: 'integer' },
            details: loose('Counts, ages, queue depths'),
          },
        },
      },
    },
  },
  UsageRecord: {
    type: 'object',
    required: ['subscriptionId', 'dimension', 'quantity', 'timestamp'],
    properties: { subscriptionId: { type: 'string', format: 'uuid' }, dimension: str(), quantity: { type: 'number', exclusiveMinimum: true, minimum: 0 }, timestamp: dateTime, id: str('Send one: retries with the same id count once') },
  },
  UsageIngestReport: loose('`{ accepted, duplicate, unbilled, rejected, results: [{ index, id?, status, hour?, reason? }] }` (docs/metering.md)'),
  UsageReport: loose('`{ subscriptionId, from, to, hours: [...], continuationToken? }` (docs/metering.md)'),
  PoisonListing: loose('`{ queue, poisonQueue, approximateCount, messages: [{ messageId, dequeueCount, insertedOn, body | undecodable }] }`'),
  ReplayRequest: {
    type: 'object',
    additionalProperties: false,
    properties: { messageIds: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1000 }, max: { type: 'integer', minimum: 1, maximum: 1000 } },
  },
  ErasureReport: {
    type: 'object',
    properties: {
      subscriptionId: str(),
      erasedAt: { ...dateTime, description: 'When the personal data was first erased' },
      fieldsErased: { type: 'array', items: str('name, purchaser, beneficiary or lastError'), description: 'Empty when it had been erased before' },
      historyEntriesScrubbed: { type: 'integer', description: 'History rows rewritten without personal data' },
    },
  },
  RemoveTestSubscriptionsRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      subscriptionIds: { type: 'array', items: { type: 'string', format: 'uuid' }, minItems: 1, maxItems: 50, description: 'Default: every ended (Unsubscribed) test subscription' },
      dryRun: { type: 'boolean', description: 'Report what would be removed; change nothing' },
    },
  },
  RemovalReport: loose('`{ dryRun, removed: [{ subscriptionId, historyRows, operations }], skipped: [{ subscriptionId, reason }] }`'),
  ReplayResult: loose('`{ queue, poisonQueue, replayed: [messageId], notFound: [messageId] }`'),
};
