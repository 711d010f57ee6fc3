import { z } from 'zod';
import { type Logger } from '../logging';
import { ISV_DECISION_EVENT_TYPE, toCloudEvent, type CloudEvent } from './cloudEvent';
import { isRetryableStatus } from './errors';
import type { ChangeDecision, ChangeDecisionRequest } from './hooks';
import { isSuccessStatus, postSignedEvent, reasonFrom, type PostResult, type SignedPostSettings } from './postSignedEvent';

export interface DecisionSettings extends SignedPostSettings {
  source: string;
  logger: Logger;
}

const decisionAnswer = z.object({ accept: z.boolean(), reason: z.string().nullish() });

const MAX_REASON_CHARS = 500;

/** The event POSTed to the decision endpoint; its id is stable for the same marketplace operation. */
export function decisionEvent(request: ChangeDecisionRequest, time: Date, source: string): CloudEvent<ChangeDecisionRequest> {
  const { action, operationId, subscription, planId, quantity } = request;
  return toCloudEvent(
    {
      id: `${subscription.id}:${operationId}:change_requested`,
      type: ISV_DECISION_EVENT_TYPE,
      subject: subscription.id,
      time: time.toISOString(),
      data: { action, operationId, subscription, planId, quantity },
    },
    source,
  );
}

type Interpretation = { decision: ChangeDecision } | { unavailable: string };

/**
 * Asks the ISV whether a change is acceptable. A 2xx `{ accept, reason? }` is the answer; any other
 * 4xx (409, 422 …) is a refusal. Anything that is not an answer (timeout, network error, 5xx, 408,
 * 429, a redirect or an unparseable body) accepts the change, because Microsoft accepts it anyway
 * once its 10-second window closes; the reason says why and a warning is logged. Only an abort of
 * the caller's signal is thrown.
 */
export async function requestDecision(settings: DecisionSettings, request: ChangeDecisionRequest, signal: AbortSignal): Promise<ChangeDecision> {
  const event = decisionEvent(request, settings.clock.now(), settings.source);
  const result = await postSignedEvent(settings, event, signal);
  const outcome = interpret(result, settings.timeoutMs);
  const fields = { subscriptionId: request.subscription.id, operationId: request.operationId, action: request.action };
  if ('unavailable' in outcome) {
    settings.logger.warn('isv decision endpoint unavailable; change accepted', { ...fields, problem: outcome.unavailable });
    return { accept: true, reason: `decision endpoint unavailable: ${outcome.unavailable}` };
  }
  if (!outcome.decision.accept) settings.logger.info('isv declined change', fields);
  return outcome.decision;
}

function interpret(result: PostResult, timeoutMs: number): Interpretation {
  if (result.kind === 'timeout') return { unavailable: `no answer within ${timeoutMs} ms` };
  if (result.kind === 'network') return { unavailable: `network error${result.code ? ` (${result.code})` : ''}` };
  if (isSuccessStatus(result.status)) return parseAnswer(result.text);
  if (result.status >= 400 && result.status < 500 && !isRetryableStatus(result.status)) {
    return { decision: { accept: false, reason: reasonFrom(result.text) ?? `declined by the decision endpoint (HTTP ${result.status})` } };
  }
  return { unavailable: `HTTP ${result.status}` };
}

function parseAnswer(text: string): Interpretation {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { unavailable: 'unparseable response (not JSON)' };
  }
  const parsed = decisionAnswer.safeParse(json);
  if (!parsed.success) return { unavailable: 'unparseable response (expected { "accept": boolean })' };
  const reason = parsed.data.reason?.trim().slice(0, MAX_REASON_CHARS) || undefined;
  if (parsed.data.accept) return { decision: reason === undefined ? { accept: true } : { accept: true, reason } };
  return { decision: { accept: false, reason: reason ?? 'declined by the decision endpoint' } };
}
