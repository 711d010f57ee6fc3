import { QUEUE_NAMES } from '../storage';
import type { SchemaObject } from './schemas';

/**
 * Every keyed HTTP endpoint of the app, as registered in functions/ (function name, method, route,
 * authLevel), with what the OpenAPI document says about it. A test compares this table with the
 * registrations, so a route cannot be added, moved or re-keyed without the description following.
 */
export interface DocumentedOperation {
  functionName: string;
  method: 'get' | 'post';
  /** The route template exactly as registered (without the `api/` prefix). */
  route: string;
  authLevel: 'function' | 'admin';
  tag: 'Subscriptions' | 'Operations' | 'Reconciliation' | 'Usage' | 'Poison queues' | 'Health' | 'Description';
  summary: string;
  description?: string;
  query?: Array<{ name: string; description: string; schema: SchemaObject }>;
  requestBody?: { schema: string; required: boolean };
  responses: Record<string, { description: string; schema?: string; headers?: Record<string, string> }>;
}

const str: SchemaObject = { type: 'string' };
const pageSize: SchemaObject = { type: 'integer', minimum: 1, maximum: 1000 };
const BAD_REQUEST = { description: 'Invalid input: `error.details.issues` lists every problem', schema: 'Error' };
const NOT_FOUND = { description: 'No such subscription (or request)', schema: 'Error' };
const ACCEPTED = {
  description: 'Microsoft accepted the change (202 + Operation-Location); it is tracked in the background. Poll the status URL.',
  schema: 'OperationStatus',
  headers: { Location: 'The status URL, `/api/operations/{requestId}`', 'Retry-After': 'Seconds before the first poll is useful' },
};
const REFUSED_BY_MICROSOFT = {
  description: 'Microsoft refused the request (its 400 / 404 / 409 is passed on; 502 when it gave no usable answer). `Location` points at the request, recorded as Failed with the same reason.',
  schema: 'Error',
  headers: { Location: 'The status URL of the (failed) request' },
};
const VALIDATION_REFUSED = { description: 'The change cannot be made (status, allowed operations, plan not offered, seats out of range, unchanged value): `error.details.issues` says why. Nothing was sent to Microsoft.', schema: 'Error' };

const changeResponses = { '202': ACCEPTED, '400': VALIDATION_REFUSED, '404': NOT_FOUND, '409': REFUSED_BY_MICROSOFT, '502': REFUSED_BY_MICROSOFT };

export const DOCUMENTED_OPERATIONS: readonly DocumentedOperation[] = [
  {
    functionName: 'listSubscriptions',
    method: 'get',
    route: 'subscriptions',
    authLevel: 'function',
    tag: 'Subscriptions',
    summary: 'List stored subscriptions, filtered, a page at a time',
    description: 'Filters combine with AND. Results are ordered by id; follow `continuationToken` (or `nextLink`) until it is absent. A page may be short, even empty.',
    query: [
      { name: 'status', description: 'PendingFulfillmentStart, Subscribed, Suspended or Unsubscribed', schema: { type: 'string', enum: ['PendingFulfillmentStart', 'Subscribed', 'Suspended', 'Unsubscribed'] } },
      { name: 'offerId', description: 'Offer id', schema: str },
      { name: 'planId', description: 'Plan id', schema: str },
      { name: 'isTest', description: 'Test subscriptions only (true) or none (false)', schema: { type: 'boolean' } },
      { name: 'pageSize', description: '1–1000, default 100', schema: pageSize },
      { name: 'continuationToken', description: 'From the previous page', schema: str },
    ],
    responses: { '200': { description: 'One page', schema: 'SubscriptionPage' }, '400': BAD_REQUEST },
  },
  {
    functionName: 'getSubscriptionDetail',
    method: 'get',
    route: 'subscriptions/{subscriptionId}',
    authLevel: 'function',
    tag: 'Subscriptions',
    summary: 'One subscription: the record, its plan catalog and its history (newest first)',
    description: 'The plans are those of the subscription’s offer in the plan catalog, learned from List Available Plans (the first call learns them when the catalog has none).',
    query: [
      { name: 'historyPageSize', description: '1–1000, default 50', schema: pageSize },
      { name: 'historyContinuationToken', description: 'From the previous answer’s `history.continuationToken`', schema: str },
    ],
    responses: { '200': { description: 'The subscription', schema: 'SubscriptionDetail' }, '400': BAD_REQUEST, '404': NOT_FOUND },
  },
  {
    functionName: 'changePlan',
    method: 'post',
    route: 'subscriptions/{subscriptionId}/plan',
    authLevel: 'function',
    tag: 'Subscriptions',
    summary: 'Change the plan (publisher-initiated PATCH)',
    description: 'Only with the customer’s explicit approval. Validated first: Subscribed, `Update` allowed, a different plan that List Available Plans offers to this subscription, current seats within the new plan’s limits.',
    requestBody: { schema: 'ChangePlanRequest', required: true },
    responses: changeResponses,
  },
  {
    functionName: 'changeQuantity',
    method: 'post',
    route: 'subscriptions/{subscriptionId}/quantity',
    authLevel: 'function',
    tag: 'Subscriptions',
    summary: 'Change the number of seats (publisher-initiated PATCH)',
    description: 'Only with the customer’s explicit approval. Validated first: Subscribed, `Update` allowed, a per-seat plan, a different number within the plan’s minimum and maximum.',
    requestBody: { schema: 'ChangeQuantityRequest', required: true },
    responses: changeResponses,
  },
  {
    functionName: 'cancelSubscription',
    method: 'post',
    route: 'subscriptions/{subscriptionId}/cancel',
    authLevel: 'function',
    tag: 'Subscriptions',
    summary: 'Cancel the subscription (publisher-initiated DELETE)',
    description: 'Validated first: not already Unsubscribed, `Delete` allowed. The record becomes Unsubscribed once Microsoft completes it (webhook or poll, whichever comes first).',
    responses: changeResponses,
  },
  {
    functionName: 'erasePersonalData',
    method: 'post',
    route: 'subscriptions/{subscriptionId}/erase-personal-data',
    authLevel: 'function',
    tag: 'Subscriptions',
    summary: 'Erase the personal data of one subscription now (docs/personal-data.md)',
    description:
      'The name, the purchaser’s and beneficiary’s e-mail, object id and PUID are removed from the record and its history; ids, plan, dates, usage and history rows stay. Works in any status and is idempotent; the data is never stored again, whatever Microsoft sends later. No body.',
    responses: { '200': { description: 'What was erased', schema: 'ErasureReport' }, '404': NOT_FOUND },
  },
  {
    functionName: 'removeTestSubscriptions',
    method: 'post',
    route: 'test-subscriptions/remove',
    authLevel: 'function',
    tag: 'Subscriptions',
    summary: 'Remove ended test subscriptions (`isTest`) with their history and operations',
    description:
      'Body `{}` removes every Unsubscribed test subscription; `subscriptionIds` limits it to those; `dryRun` only reports. Live test subscriptions and real ones are skipped with the reason. Usage records stay. Reconciliation does not import an ended test subscription again.',
    requestBody: { schema: 'RemoveTestSubscriptionsRequest', required: true },
    responses: { '200': { description: 'Removed and skipped subscriptions', schema: 'RemovalReport' }, '400': BAD_REQUEST },
  },
  {
    functionName: 'getOperationStatus',
    method: 'get',
    route: 'operations/{operationId}',
    authLevel: 'function',
    tag: 'Operations',
    summary: 'The status URL of a publisher request',
    description: 'Also reads the ledger row of a marketplace operation received by the webhook, by Microsoft’s operation id. `Retry-After` is set while the request is not final.',
    responses: { '200': { description: 'The request', schema: 'OperationStatus' }, '404': NOT_FOUND },
  },
  {
    functionName: 'reconcile',
    method: 'post',
    route: 'reconcile',
    authLevel: 'function',
    tag: 'Reconciliation',
    summary: 'Run reconciliation now and return its report',
    description: 'The same run as the hourly timer: every subscription Microsoft lists is compared with Table Storage and repaired where it drifted; undelivered InProgress operations are processed.',
    responses: {
      '200': { description: 'The run’s report', schema: 'ReconcileReport' },
      '503': { description: 'Microsoft could not list the subscriptions; nothing more was done', schema: 'Error' },
    },
  },
  {
    functionName: 'healthReady',
    method: 'get',
    route: 'health/ready',
    authLevel: 'function',
    tag: 'Health',
    summary: 'Readiness: every dependency checked now, in parallel, each with a timeout',
    description:
      'Table and Queue Storage with the configured identity, a Marketplace API token and the API answering, the webhook signing keys, the ISV endpoints (when configured), poison queue depths, and the age and outcome of the last reconciliation and usage emission runs. One entry per check: `pass`, `warn` (worth a look, still ready), `fail` or `skip` (not configured), its duration and a reason that names what to fix. `GET /api/health` (anonymous) stays the cheap liveness answer.',
    responses: {
      '200': { description: 'Ready: no check failed', schema: 'ReadinessReport' },
      '503': { description: 'Not ready: `failing` names the checks that failed', schema: 'ReadinessReport' },
    },
  },
  {
    functionName: 'openApi',
    method: 'get',
    route: 'openapi.json',
    authLevel: 'function',
    tag: 'Description',
    summary: 'This description (OpenAPI 3)',
    responses: { '200': { description: 'The OpenAPI document' } },
  },
  {
    functionName: 'usageIngest',
    method: 'post',
    route: 'usage',
    authLevel: 'function',
    tag: 'Usage',
    summary: 'Report usage: one record or an array of 1 to 1,000 (docs/metering.md)',
    requestBody: { schema: 'UsageRecord', required: true },
    responses: {
      '200': { description: 'Every record kept', schema: 'UsageIngestReport' },
      '207': { description: 'Some records refused (the others are kept)', schema: 'UsageIngestReport' },
      '400': { description: 'Every record refused, or the body is not usage', schema: 'UsageIngestReport' },
      '413': { description: 'Body above 1 MiB', schema: 'Error' },
    },
  },
  {
    functionName: 'usageReport',
    method: 'get',
    route: 'usage',
    authLevel: 'function',
    tag: 'Usage',
    summary: 'Usage per hour and dimension, with emission status (docs/metering.md)',
    query: [
      { name: 'subscriptionId', description: 'Required', schema: { type: 'string', format: 'uuid' } },
      { name: 'from', description: 'ISO-8601 (default: 48 h ago)', schema: { type: 'string', format: 'date-time' } },
      { name: 'to', description: 'ISO-8601 (default: now)', schema: { type: 'string', format: 'date-time' } },
      { name: 'pageSize', description: '1–500', schema: { type: 'integer', minimum: 1, maximum: 500 } },
      { name: 'continuationToken', description: 'From the previous page', schema: str },
    ],
    responses: { '200': { description: 'The report', schema: 'UsageReport' }, '400': BAD_REQUEST },
  },
  {
    functionName: 'listPoisonMessages',
    method: 'get',
    route: 'ops/poison/{queue}',
    authLevel: 'admin',
    tag: 'Poison queues',
    summary: 'Messages that failed every attempt, decoded and left in place (master key)',
    description: `\`queue\` is one of ${Object.values(QUEUE_NAMES).join(', ')}; its poison queue is \`<queue>-poison\`.`,
    query: [{ name: 'max', description: '1–32', schema: { type: 'integer', minimum: 1, maximum: 32 } }],
    responses: { '200': { description: 'Up to 32 messages', schema: 'PoisonListing' }, '404': { description: 'Not one of the app’s queues', schema: 'Error' } },
  },
  {
    functionName: 'replayPoisonMessages',
    method: 'post',
    route: 'ops/poison/{queue}/replay',
    authLevel: 'admin',
    tag: 'Poison queues',
    summary: 'Put poison messages back on their queue once the cause is fixed (master key)',
    description: 'Body: empty (up to 32), `{ "messageIds": [...] }` or `{ "max": n }`.',
    requestBody: { schema: 'ReplayRequest', required: false },
    responses: { '200': { description: 'What was replayed', schema: 'ReplayResult' }, '400': BAD_REQUEST, '404': { description: 'Not one of the app’s queues', schema: 'Error' } },
  },
];
