import { learnPlans } from '../catalog';
import type { PlanCatalog } from '../catalog';
import type { Clock } from '../clock';
import { NotFoundError, ValidationError } from '../errors';
import type { Logger } from '../logging';
import { MarketplaceApiError, type AcceptedOperation, type MarketplaceApi } from '../marketplace';
import { historyKey, type HistoryStore, type MessageQueue, type OperationLedger, type OperationRecord, type SubscriptionStore } from '../storage';
import { operationStatusView, PUBLISHER_SOURCE, writeDetails, type OperationStatusView } from './publisherRequest';
import { nextPollDelaySeconds, TRACKING_MESSAGE_VERSION, type TrackingMessage } from './trackingMessage';
import { changeIssues, type PublisherChange } from './validateChange';

export interface RequestChangeDeps {
  subscriptions: Pick<SubscriptionStore, 'get'>;
  history: Pick<HistoryStore, 'append'>;
  operations: Pick<OperationLedger, 'create'>;
  plans: Pick<PlanCatalog, 'save'>;
  marketplace: Pick<MarketplaceApi, 'listAvailablePlans' | 'changePlan' | 'changeQuantity' | 'deleteSubscription'>;
  queue: MessageQueue<TrackingMessage>;
  clock: Clock;
  logger: Logger;
  newId: () => string;
  settings: { pollMaxDelaySeconds: number };
}

/**
 * `accepted`: Microsoft answered 202; the change is tracked in the background. `refused`: Microsoft
 * answered 400 / 404 / 409; `unavailable`: no usable answer (the change may or may not have
 * started). Every outcome has a ledger row behind `operation.id`, readable at the status URL.
 */
export type ChangeRequestResult =
  | { outcome: 'accepted'; operation: OperationStatusView; retryAfterSeconds: number }
  | { outcome: 'refused' | 'unavailable'; operation: OperationStatusView; marketplaceStatus?: number };

const REFUSALS: ReadonlySet<number> = new Set([400, 404, 409]);

/**
 * A publisher-initiated plan change, seat change or cancellation: validated against the local record
 * and Microsoft's List Available Plans (which also refreshes the plan catalog) before anything is
 * sent, so a change Microsoft would refuse gets a ValidationError (400) and no PATCH/DELETE. Then
 * PATCH/DELETE, a ledger row (source `Publisher`) keyed by a new request id, and a tracking message
 * that polls `Operation-Location` later. Nothing here waits for Microsoft's operation.
 */
export async function requestPublisherChange(
  deps: RequestChangeDeps,
  subscriptionId: string,
  change: PublisherChange,
  options: { requestedBy?: string } = {},
): Promise<ChangeRequestResult> {
  const local = await deps.subscriptions.get(subscriptionId);
  if (local === undefined) throw new NotFoundError('Subscription', subscriptionId);
  const available = change.action === 'Unsubscribe' ? [] : await learnPlans(deps, subscriptionId);
  const issues = changeIssues(local.value, available, change);
  if (issues.length > 0) throw new ValidationError(`The ${change.action} request cannot be sent to Microsoft`, issues, { details: { subscriptionId } });

  const requestId = deps.newId();
  const log = deps.logger.child({ subscriptionId, requestId, action: change.action });
  const at = deps.clock.now().toISOString();
  const row = baseRow(requestId, subscriptionId, change, at);
  let accepted: AcceptedOperation;
  try {
    accepted = await send(deps.marketplace, subscriptionId, change);
  } catch (error) {
    if (!(error instanceof MarketplaceApiError)) throw error;
    return recordFailure(deps, row, error, log);
  }
  const delaySeconds = nextPollDelaySeconds(undefined, accepted.retryAfterSeconds, deps.settings.pollMaxDelaySeconds);
  const created = await deps.operations.create({
    ...row,
    state: 'Queued',
    payload: writeDetails({ operationId: accepted.operationId, operationLocation: accepted.operationLocation }),
  });
  const message: TrackingMessage = {
    v: TRACKING_MESSAGE_VERSION,
    requestId,
    subscriptionId,
    operationId: accepted.operationId,
    operationLocation: accepted.operationLocation,
    action: change.action,
    delaySeconds,
  };
  await deps.queue.send(message, { visibilityDelaySeconds: delaySeconds });
  // The ledger row is the record of the request; the history row is for the admin's timeline.
  await deps.history
    .append({
      subscriptionId,
      at,
      kind: 'PublisherChangeRequested',
      operationId: accepted.operationId,
      to: target(change),
      detail: `${change.action} requested by ${options.requestedBy ?? 'the publisher'} (request ${requestId})`,
      idempotencyKey: historyKey(requestId, 'PublisherChangeRequested'),
    })
    .catch((error: unknown) => log.warn('publisher change accepted but its history row not written', { error }));
  log.info('publisher change accepted by the marketplace', { operationId: accepted.operationId });
  return { outcome: 'accepted', operation: operationStatusView(created.value), retryAfterSeconds: delaySeconds };
}

function send(marketplace: RequestChangeDeps['marketplace'], subscriptionId: string, change: PublisherChange): Promise<AcceptedOperation> {
  switch (change.action) {
    case 'ChangePlan':
      return marketplace.changePlan(subscriptionId, change.planId);
    case 'ChangeQuantity':
      return marketplace.changeQuantity(subscriptionId, change.quantity);
    case 'Unsubscribe':
      return marketplace.deleteSubscription(subscriptionId);
  }
}

function target(change: PublisherChange): Record<string, unknown> | undefined {
  if (change.action === 'ChangePlan') return { planId: change.planId };
  if (change.action === 'ChangeQuantity') return { quantity: change.quantity };
  return undefined;
}

function baseRow(requestId: string, subscriptionId: string, change: PublisherChange, at: string): OperationRecord {
  const row: OperationRecord = { id: requestId, subscriptionId, action: change.action, source: PUBLISHER_SOURCE, state: 'Received', receivedAt: at, updatedAt: at, attempts: 0 };
  if (change.action === 'ChangePlan') row.planId = change.planId;
  if (change.action === 'ChangeQuantity') row.quantity = change.quantity;
  return row;
}

/** Records Microsoft's refusal (or silence) on a Failed row, so the status URL explains it. */
async function recordFailure(deps: RequestChangeDeps, row: OperationRecord, error: MarketplaceApiError, log: Logger): Promise<ChangeRequestResult> {
  const refused = error.kind === 'http' && error.status !== undefined && REFUSALS.has(error.status);
  const said = [error.serviceCode, error.serviceMessage].filter((part) => part !== undefined && part !== '').join(': ');
  const message = refused
    ? `Microsoft refused the ${row.action} request with HTTP ${String(error.status)}${said === '' ? '' : ` (${said})`}`
    : `Microsoft gave no usable answer to the ${row.action} request (${error.message}); the change may or may not have started: the webhook or the next reconciliation brings the record in line`;
  const created = await deps.operations.create({
    ...row,
    state: 'Failed',
    ...(error.status === undefined ? {} : { marketplaceStatus: `HTTP ${error.status}` }),
    lastError: { code: refused ? 'MarketplaceRefused' : 'MarketplaceUnavailable', message: message.slice(0, 1_000), at: row.receivedAt },
    payload: writeDetails({}),
  });
  log.warn(refused ? 'publisher change refused by the marketplace' : 'publisher change not confirmed by the marketplace', { status: error.status, serviceCode: error.serviceCode });
  const operation = operationStatusView(created.value);
  return { outcome: refused ? 'refused' : 'unavailable', operation, ...(error.status === undefined ? {} : { marketplaceStatus: error.status }) };
}
