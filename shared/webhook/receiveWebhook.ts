import type { Clock } from '../clock';
import { readJsonBody, type JsonBodyRequest } from '../http/readJsonBody';
import type { Logger } from '../logging';
import { handOverOperation, type HandOver } from '../operations/handOverOperation';
import type { OperationMessage } from '../operations/operationMessage';
import { MAX_OPERATION_PAYLOAD_LENGTH, type MessageQueue, type OperationLedger, type OperationRecord } from '../storage';
import type { WebhookTokenVerifier } from './tokenVerifier';
import { diagnosticPayload, webhookPayloadSchema, type WebhookPayload } from './webhookPayload';

export interface ReceiveWebhookDeps {
  verifier: WebhookTokenVerifier;
  operations: Pick<OperationLedger, 'create' | 'get'>;
  queue: MessageQueue<OperationMessage>;
  clock: Clock;
  logger: Logger;
  maxBodyBytes: number;
}

export type WebhookOutcome = HandOver['outcome'];

export interface WebhookReceipt {
  operationId: string;
  subscriptionId: string;
  action: string;
  outcome: WebhookOutcome;
}

/**
 * The webhook intake: authenticate the caller (before the body is even read), parse the body
 * leniently, and hand the operation to processing once per id (handOverOperation: the ledger row
 * `Received`, then the queue message; two storage round trips). The caller answers 200 only after
 * this resolves, i.e. once the operation is durably recorded and queued. A failure in between
 * answers 5xx, and the marketplace's retry finds the row `Received` and queues it again.
 */
export async function receiveWebhook(deps: ReceiveWebhookDeps, request: JsonBodyRequest): Promise<WebhookReceipt> {
  const now = deps.clock.now();
  const caller = await deps.verifier.verify(request.headers.get('authorization'), now);
  const payload = await readJsonBody(request, webhookPayloadSchema, { maxBytes: deps.maxBodyBytes, contentType: 'any' });
  const log = deps.logger.child({ operationId: payload.id, subscriptionId: payload.subscriptionId, action: payload.action });

  const handOver = await handOverOperation(deps, ledgerRecord(payload, now.toISOString()));
  if (handOver.outcome === 'queued') {
    log.info('webhook received', { outcome: 'queued', tokenVersion: caller.version, source: payload.operationRequestSource });
  } else {
    const { recorded } = handOver;
    if (recorded.subscriptionId !== payload.subscriptionId || recorded.action !== payload.action) {
      // Processing verifies against Get Operation anyway; note the oddity and keep the first record.
      log.warn('webhook repeat differs from the recorded operation', { recordedSubscriptionId: recorded.subscriptionId, recordedAction: recorded.action });
    }
    log.info('webhook repeat received', { outcome: handOver.outcome });
  }
  return { operationId: payload.id, subscriptionId: payload.subscriptionId, action: payload.action, outcome: handOver.outcome };
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
