import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { guarded, meteringError } from './apiGuard';
import { findOffer, findPlan } from './catalog';
import { nowIso, type EmulatorContext } from './context';
import { HttpError, json, parseJsonBody, type EmulatorRequest, type EmulatorResponse, type Router } from './http';
import type { UsageRecord } from './model';

const HOUR_MS = 60 * 60 * 1000;
const WINDOW_MS = 24 * HOUR_MS;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DUPLICATE_MESSAGE = 'This usage event already exist.';

type Status = 'Accepted' | 'Duplicate' | 'Expired' | 'ResourceNotFound' | 'ResourceNotActive' | 'InvalidDimension' | 'InvalidQuantity' | 'BadArgument';
type Outcome = { status: 'Accepted'; record: UsageRecord } | { status: Exclude<Status, 'Accepted'>; echo: Record<string, unknown>; error: Record<string, unknown> };

/** ISO-8601 in UTC; a date-time without a zone is read as UTC (as the docs' examples are meant). */
export function parseUtc(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** Checks one usage event in the documented order and, when it is accepted, records it. */
function evaluate(ctx: EmulatorContext, raw: unknown): Outcome {
  const event = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const echo = { resourceId: event.resourceId, quantity: event.quantity, dimension: event.dimension, effectiveStartTime: event.effectiveStartTime, planId: event.planId };
  const fail = (status: Exclude<Status, 'Accepted' | 'Duplicate'>, message: string): Outcome => ({ status, echo, error: { code: status, message } });
  const time = parseUtc(event.effectiveStartTime);
  if (typeof event.resourceId !== 'string' || !GUID.test(event.resourceId)) return fail('BadArgument', 'The resourceId is required.');
  if (typeof event.quantity !== 'number' || !Number.isFinite(event.quantity)) return fail('BadArgument', 'The quantity is required.');
  if (typeof event.dimension !== 'string' || event.dimension === '') return fail('BadArgument', 'The dimension is required.');
  if (typeof event.planId !== 'string' || event.planId === '') return fail('BadArgument', 'The planId is required.');
  if (time === undefined) return fail('BadArgument', 'The effectiveStartTime is required.');
  if (event.quantity <= 0) return fail('InvalidQuantity', 'The quantity must be greater than 0.');
  const now = ctx.clock.now().getTime();
  if (time < now - WINDOW_MS || time > now) return fail('Expired', 'The effectiveStartTime must be within the last 24 hours and not in the future.');
  const sub = ctx.state.subscriptions.get(event.resourceId);
  if (!sub) return fail('ResourceNotFound', `Resource ${event.resourceId} was not found.`);
  const beforeCancellation = sub.status === 'Unsubscribed' && sub.unsubscribedAt !== undefined && time < Date.parse(sub.unsubscribedAt);
  if (sub.status !== 'Subscribed' && !beforeCancellation) return fail('ResourceNotActive', `Resource ${sub.id} is ${sub.status}.`);
  if (event.planId !== sub.planId) return fail('BadArgument', `planId ${event.planId} is not the plan of resource ${sub.id}.`);
  const plan = findPlan(ctx.catalog, sub.offerId, sub.planId);
  if (!plan?.meteringDimensions.some((dimension) => dimension.id === event.dimension)) {
    return fail('InvalidDimension', `Dimension ${event.dimension} is not defined in plan ${sub.planId}.`);
  }
  const hour = Math.floor(time / HOUR_MS);
  const original = ctx.state.usage.find(
    (usage) => usage.resourceId === sub.id && usage.dimension === event.dimension && Math.floor(Date.parse(usage.effectiveStartTime) / HOUR_MS) === hour,
  );
  if (original) {
    return { status: 'Duplicate', echo, error: { additionalInfo: { acceptedMessage: { ...original, status: 'Duplicate' } }, message: DUPLICATE_MESSAGE, code: 'Conflict' } };
  }
  const record: UsageRecord = {
    usageEventId: randomUUID(),
    status: 'Accepted',
    messageTime: nowIso(ctx),
    resourceId: sub.id,
    quantity: event.quantity,
    dimension: event.dimension,
    effectiveStartTime: new Date(time).toISOString(),
    planId: sub.planId,
  };
  ctx.state.usage.push(record);
  return { status: 'Accepted', record };
}

function single(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const outcome = evaluate(ctx, parseJsonBody(req, z.unknown(), (message) => meteringError(400, 'BadArgument', message)));
  if (outcome.status === 'Accepted') return json(200, outcome.record);
  if (outcome.status === 'Duplicate') throw new HttpError(409, outcome.error);
  throw meteringError(400, outcome.status, String(outcome.error.message));
}

const batchSchema = z.object({ request: z.array(z.unknown()).min(1).max(25) });

function batch(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const body = parseJsonBody(req, batchSchema, () => meteringError(400, 'BadArgument', 'The request must hold between 1 and 25 usage events.'));
  const result = body.request.map((raw) => {
    const outcome = evaluate(ctx, raw);
    if (outcome.status === 'Accepted') return outcome.record;
    return { status: outcome.status, messageTime: nowIso(ctx), ...outcome.echo, error: outcome.error };
  });
  return json(200, { count: result.length, result });
}

/** Read-back (§7.4): per day, resource, dimension and plan. */
function usageEvents(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const query = req.url.searchParams;
  const start = parseUtc(query.get('usageStartDate') ?? undefined);
  if (start === undefined) throw meteringError(400, 'BadArgument', 'usageStartDate is required (ISO-8601).', 'usageStartDate');
  const endText = query.get('UsageEndDate') ?? query.get('usageEndDate');
  const end = endText === null ? ctx.clock.now().getTime() : parseUtc(endText);
  if (end === undefined) throw meteringError(400, 'BadArgument', 'UsageEndDate is not a valid date.', 'UsageEndDate');
  const groups = new Map<string, Record<string, unknown> & { submittedQuantity: number; processedQuantity: number; submittedCount: number }>();
  for (const usage of ctx.state.usage) {
    const time = Date.parse(usage.effectiveStartTime);
    const sub = ctx.state.subscriptions.get(usage.resourceId);
    if (time < start || time >= end || !sub) continue;
    const offer = findOffer(ctx.catalog, sub.offerId);
    const plan = findPlan(ctx.catalog, sub.offerId, usage.planId);
    const row = {
      usageDate: `${usage.effectiveStartTime.slice(0, 10)}T00:00:00`,
      usageResourceId: usage.resourceId,
      dimension: usage.dimension,
      planId: usage.planId,
      planName: plan?.displayName ?? usage.planId,
      offerId: sub.offerId,
      offerName: offer?.displayName ?? sub.offerId,
      offerType: 'SaaS',
      azureSubscriptionId: sub.azureSubscriptionId,
      reconStatus: 'Accepted',
    };
    const filters: [string, string][] = [['offerId', row.offerId], ['planId', row.planId], ['dimension', row.dimension], ['azureSubscriptionId', row.azureSubscriptionId], ['reconStatus', row.reconStatus]];
    if (filters.some(([name, value]) => query.has(name) && query.get(name) !== value)) continue;
    const key = `${row.usageDate}|${row.usageResourceId}|${row.dimension}|${row.planId}`;
    const group = groups.get(key) ?? { ...row, submittedQuantity: 0, processedQuantity: 0, submittedCount: 0 };
    group.submittedQuantity += usage.quantity;
    group.processedQuantity += usage.quantity;
    group.submittedCount += 1;
    groups.set(key, group);
  }
  return json(200, [...groups.values()]);
}

export function registerMeteringRoutes(router: Router, ctx: EmulatorContext): void {
  const route = (handler: (req: EmulatorRequest) => EmulatorResponse) => guarded(ctx, 'metering', handler);
  router
    .add('POST', '/api/usageEvent', route((req) => single(ctx, req)))
    .add('POST', '/api/batchUsageEvent', route((req) => batch(ctx, req)))
    .add('GET', '/api/usageEvents', route((req) => usageEvents(ctx, req)));
}
