import type { Clock } from '../clock';
import { AlreadyExistsError, ConcurrencyConflictError } from '../errors';
import { readJsonBody, type JsonBodyRequest } from '../http/readJsonBody';
import type { Logger } from '../logging';
import { operationMessage, type OperationMessage } from '../operations/operationMessage';
import { MAX_OPERATION_PAYLOAD_LENGTH, type MessageQueue, type OperationLedger, type OperationRecord } from '../storage';
import type { Versioned } from '../subscription/model';
import type { WebhookTokenVerifier } from './tokenVerifier';
import { diagnosticPayload, webhookPayloadSchema, type WebhookPayload } from './webhookPayload';

export interface ReceiveWebhookDeps {
  verifier: WebhookTokenVerifier;
  operations: Pick<OperationLedger, 'create' | 'get' | 'update'>;
  queue: MessageQueue<OperationMessage>;
  clock: Clock;
  logger: Logger;
  maxBodyBytes: number;
}

/**
 * `queued`: first delivery, recorded and queued. `requeued`: a repeat whose first delivery was
 * recorded but never got as far as the queue, queued now. `duplicate`: already queued; nothing done.
 */
export type WebhookOutcome = 'queued' | 'requeued' | 'duplicate';

export interface WebhookReceipt {
  operationId: string;
  subscriptionId: string;
  action: string;
  outcome: WebhookOutcome;
}

/**
 * The webhook intake: authenticate the caller (before the body is even read), parse the body
 * leniently, and record the operation once, keyed by its id, as an outbox:
 *
 * 1. create the ledger row in state `Received` (conditional insert: at most one row per id);
 * 2. enqueue `{ operationId, subscriptionId, action }`;
 * 3. mark the row `Queued` (ETag-conditional, so it never overwrites the consumer's progress).
 *
 * A crash after 1 leaves a `Received` row and no 200, so the marketplace retries, and a repeat that
 * finds the row still `Received` enqueues again (the consumer is idempotent). A repeat that finds any
 * later state answers 200 without enqueueing. The caller answers 200 only after this resolves, i.e.
 * once the operation is durably recorded and queued.
 */
export async function receiveWebhook(deps: ReceiveWebhookDeps, request: JsonBodyRequest): Promise<WebhookReceipt> {
  const now = deps.clock.now();
  const caller = await deps.verifier.verify(request.headers.get('authorization'), now);
  const payload = await readJsonBody(request, webhookPayloadSchema, { maxBytes: deps.maxBodyBytes, contentType: 'any' });
  const log = deps.logger.child({ operationId: payload.id, subscriptionId: payload.subscriptionId, action: payload.action });

  let recorded: Versioned<OperationRecord>;
  try {
    recorded = await deps.operations.create(ledgerRecord(payload, now.toISOString()));
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    const outcome = await repeatDelivery(deps, payload, log);
    log.info('webhook repeat received', { outcome });
    return receipt(payload, outcome);
  }
  await deps.queue.send(operationMessage(payload.id, payload.subscriptionId, payload.action));
  await markQueued(deps, recorded, log);
  log.info('webhook received', { outcome: 'queued', tokenVersion: caller.version, source: payload.operationRequestSource });
  return receipt(payload, 'queued');
}

async function repeatDelivery(deps: ReceiveWebhookDeps, payload: WebhookPayload, log: Logger): Promise<WebhookOutcome> {
  const existing = await deps.operations.get(payload.id);
  // Rows are never deleted, so this is a storage anomaly: fail (5xx) and let the marketplace retry.
  if (existing === undefined) throw new Error(`Operation ${payload.id} reported as existing but not found`);
  const { value } = existing;
  if (value.subscriptionId !== payload.subscriptionId || value.action !== payload.action) {
    // Processing verifies against Get Operation anyway; note the oddity and keep the first record.
    log.warn('webhook repeat differs from the recorded operation', { recordedSubscriptionId: value.subscriptionId, recordedAction: value.action });
  }
  if (value.state !== 'Received') return 'duplicate';
  await deps.queue.send(operationMessage(value.id, value.subscriptionId, value.action));
  await markQueued(deps, existing, log);
  return 'requeued';
}

/** Best effort: the message is already durably queued, so a failure here must not fail the delivery. */
async function markQueued(deps: ReceiveWebhookDeps, row: Versioned<OperationRecord>, log: Logger): Promise<void> {
  try {
    await deps.operations.update({ ...row.value, state: 'Queued', updatedAt: deps.clock.now().toISOString() }, row.etag);
  } catch (error) {
    // A conflict means the consumer got there first (it moved the row on): exactly what we want.
    if (!(error instanceof ConcurrencyConflictError)) log.warn('operation queued but not marked Queued', { error });
  }
}

function ledgerRecord(payload: WebhookPayload, receivedAt: string): OperationRecord {
  const record: OperationRecord = {
    id: payload.id,
    subscriptionId: payload.subscriptionId,
    action: payload.action,
    state: 'Received',
    receivedAt,
    updatedAt: receivedAt,
    attempts: 0,
    payload: diagnosticPayload(payload, MAX_OPERATION_PAYLOAD_LENGTH),
  };
  if (payload.operationRequestSource !== undefined) record.source = payload.operationRequestSource;
  if (payload.status !== undefined) record.marketplaceStatus = payload.status;
  if (payload.planId !== undefined) record.planId = payload.planId;
  if (payload.quantity !== undefined) record.quantity = payload.quantity;
  return record;
}

function receipt(payload: WebhookPayload, outcome: WebhookOutcome): WebhookReceipt {
  return { operationId: payload.id, subscriptionId: payload.subscriptionId, action: payload.action, outcome };
}
