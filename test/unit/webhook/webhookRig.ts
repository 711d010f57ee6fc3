import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { fixedClock } from '../../../shared/clock';
import { createLogger, type LogFields, type LogLevel } from '../../../shared/logging';
import type { OperationMessage } from '../../../shared/operations/operationMessage';
import type { MessageQueue, SendOptions } from '../../../shared/storage';
import { createWebhookTokenVerifier } from '../../../shared/webhook/tokenVerifier';
import { createWebhookHandler } from '../../../functions/webhook';
import { InMemoryOperationLedger } from '../../fakes/inMemoryOperationLedger';
import { RecordingQueue } from '../../fakes/recordingQueue';
import type { WebhookTokenTwin } from '../../fakes/webhookTokens';

export const NOW = new Date('2026-03-02T12:00:00Z');
export const OPERATION_ID = '7f0c3c2e-8a51-4d8b-9d0e-2f1a3b4c5d6e';
export const SUBSCRIPTION_ID = '37f9dea2-4345-438f-b0bd-03d40d28c7e0';

export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** A queue that records, and fails the next `failures` sends (a storage outage or a crash). */
export class FlakyQueue implements MessageQueue<OperationMessage> {
  readonly recording = new RecordingQueue<OperationMessage>('operations');
  failures = 0;
  readonly name = 'operations';

  async send(message: OperationMessage, options?: SendOptions) {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('queue unavailable');
    }
    return this.recording.send(message, options);
  }
}

/** The webhook function wired to the token twin, an in-memory ledger, a recording queue and a fixed clock. */
export function webhookRig(twin: WebhookTokenTwin, options: { maxBodyBytes?: number } = {}) {
  const operations = new InMemoryOperationLedger();
  const queue = new FlakyQueue();
  const logs: LogLine[] = [];
  const logger = createLogger((level, message, fields) => logs.push({ level, message, fields }), { level: 'debug' });
  const verifier = createWebhookTokenVerifier({ ...twin.settings, clockSkewSeconds: 60 });
  const handler = createWebhookHandler(() => ({
    verifier,
    operations,
    queue,
    clock: fixedClock(NOW),
    maxBodyBytes: options.maxBodyBytes ?? 65_536,
    logger: () => logger,
  }));
  const post = async (body: string | Uint8Array, headers: Record<string, string> = {}): Promise<HttpResponse> => {
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/webhook',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? { string: body } : { bytes: body },
    });
    const result: HttpResponseInit = await handler(request, new InvocationContext({ invocationId: 'inv-1', functionName: 'webhook' }));
    return new HttpResponse(result);
  };
  return { operations, queue, messages: () => queue.recording.messages(), logs, post };
}

/** A webhook body shaped like the 2023 documentation samples. */
export function webhookBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: OPERATION_ID,
    activityId: OPERATION_ID,
    publisherId: 'contoso',
    offerId: 'contoso-saas',
    planId: 'gold',
    quantity: null,
    subscriptionId: SUBSCRIPTION_ID,
    timeStamp: '2026-03-02T11:59:59.000Z',
    action: 'ChangePlan',
    status: 'InProgress',
    operationRequestSource: 'Azure',
    subscription: { id: SUBSCRIPTION_ID, planId: 'basic', purchaser: { emailId: 'buyer@contoso.example' } },
    purchaseToken: null,
    ...overrides,
  };
}
