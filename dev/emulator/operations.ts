import { z } from 'zod';
import { guarded } from './apiGuard';
import type { EmulatorContext } from './context';
import { findSubscription } from './fulfillment';
import { apiError, empty, json, parseJsonBody, type EmulatorRequest, type EmulatorResponse, type Router } from './http';
import { acknowledgeOperation } from './lifecycle';
import type { OperationRecord } from './model';
import { operationView } from './views';

const acknowledgementSchema = z.object({ status: z.enum(['Success', 'Failure']) });

function findOperation(ctx: EmulatorContext, req: EmulatorRequest): OperationRecord {
  const sub = findSubscription(ctx, req);
  const op = ctx.state.operations.get(req.params.operationId ?? '');
  if (!op || op.subscriptionId !== sub.id) throw apiError(404, 'NotFound', `Operation ${req.params.operationId ?? ''} was not found.`);
  return op;
}

/** Outstanding operations (§2.11): InProgress only. */
function listOperations(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const sub = findSubscription(ctx, req);
  const operations = [...ctx.state.operations.values()]
    .filter((op) => op.subscriptionId === sub.id && op.status === 'InProgress')
    .map((op) => operationView(ctx.catalog, op, sub));
  return json(200, { operations });
}

function getOperation(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const op = findOperation(ctx, req);
  return json(200, operationView(ctx.catalog, op, findSubscription(ctx, req)));
}

/** Acknowledge (§2.11): `{ status: Success | Failure }`; 400 on a bad body, 409 when the operation is finished. */
function patchOperation(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  const op = findOperation(ctx, req);
  const body = parseJsonBody(req, acknowledgementSchema, (message) => apiError(400, 'BadRequest', message));
  acknowledgeOperation(ctx, op, body.status);
  return empty(200);
}

export function registerOperationRoutes(router: Router, ctx: EmulatorContext): void {
  const base = '/api/saas/subscriptions/:subscriptionId/operations';
  const route = (handler: (req: EmulatorRequest) => EmulatorResponse) => guarded(ctx, 'fulfillment', handler);
  router
    .add('GET', base, route((req) => listOperations(ctx, req)))
    .add('GET', `${base}/:operationId`, route((req) => getOperation(ctx, req)))
    .add('PATCH', `${base}/:operationId`, route((req) => patchOperation(ctx, req)));
}
