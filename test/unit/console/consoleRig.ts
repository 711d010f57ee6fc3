import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import type { ConsoleSettings } from '../../../shared/config';
import { serveConsole, type ConsoleDeps } from '../../../shared/console';
import { actionToken } from '../../../shared/console/formTokens';
import { encodeQueueMessage, poisonQueueName, QUEUE_NAMES } from '../../../shared/storage';
import { cachedStatusCounts } from '../../../shared/console/statusCounts';
import { InMemoryQueues } from '../../fakes/inMemoryPoisonQueues';
import { InMemoryStatusCounter } from '../../fakes/inMemoryStatusCounter';
import { InMemoryUsageStore } from '../../fakes/inMemoryUsageStore';
import { adminRig } from '../admin/adminRig';
import { SUBSCRIPTION_ID } from '../publisherOperations/fakeFulfillment';

export const SECRET = 'console-unit-test-secret-0123456789abcdef';
export const ADMIN = { oid: 'a1a1a1a1-0000-4000-8000-000000000001', name: 'Ada Admin', roles: ['Console.Admin'] };
export const READER = { oid: 'b2b2b2b2-0000-4000-8000-000000000002', name: 'Rex Reader', roles: ['Console.Reader'] };
export const NOBODY = { oid: 'c3c3c3c3-0000-4000-8000-000000000003', name: 'Nora Norole', roles: [] as string[] };
export type Who = typeof ADMIN | undefined;

/** App Service Authentication's `x-ms-client-principal` for this user. */
export function principal(user: { oid: string; name: string; roles: readonly string[] }): string {
  const claims = [
    { typ: 'name', val: user.name },
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: user.oid },
    ...user.roles.map((role) => ({ typ: 'roles', val: role })),
  ];
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', name_typ: 'name', role_typ: 'roles', claims }), 'utf8').toString('base64');
}

/** The console over the admin rig's fakes, one poison message, Easy Auth in front. */
export async function consoleRig(settings: Partial<ConsoleSettings> = {}) {
  const rig = adminRig();
  await rig.known({ name: 'Contoso seats', purchaser: { emailId: 'buyer@fabrikam.example', tenantId: 'd1d1d1d1-0000-4000-8000-00000000000d' } });
  await rig.subscriptions.get(SUBSCRIPTION_ID).then((stored) => stored && rig.searchIndex.put(SUBSCRIPTION_ID, [{ field: 'email', term: 'buyer@fabrikam.example' }]));
  const poison = new InMemoryQueues();
  poison.put(poisonQueueName(QUEUE_NAMES.activations), encodeQueueMessage({ subscriptionId: SUBSCRIPTION_ID, planId: 'team', quantity: 10, requestId: 'r-1' }));
  const statusCounter = new InMemoryStatusCounter(rig.subscriptions);
  const deps: ConsoleDeps = {
    settings: { auth: 'easyAuth', formSecret: SECRET, ...settings },
    admin: rig.deps,
    operationLog: rig.operationLog,
    searchIndex: rig.searchIndex,
    statusCounts: cachedStatusCounts(statusCounter, rig.clock),
    usage: new InMemoryUsageStore(),
    poison,
    readiness: () => Promise.resolve({ status: 'unready', checkedAt: '2026-03-02T12:00:00.000Z', failing: ['marketplaceApi'], checks: [] }),
    logger: rig.logger,
  };
  const call = (method: string, path: string, init: { as?: Who; form?: Record<string, string>; headers?: Record<string, string>; host?: string } = {}): Promise<HttpResponseInit> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.as !== undefined) headers['x-ms-client-principal'] = principal(init.as);
    if (init.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const request = new HttpRequest({
      method,
      url: `http://${init.host ?? '127.0.0.1:7071'}${path}`,
      headers,
      ...(init.form === undefined ? {} : { body: { string: new URLSearchParams(init.form).toString() } }),
    });
    return serveConsole(() => deps, { method, url: request.url, headers: request.headers, body: request.body, invocationId: 'inv-1' }, rig.logger);
  };
  const tokenFor = (who: { oid: string }, path: string, now = rig.clock.now()): string => actionToken(SECRET, { id: who.oid }, path, now);
  return { ...rig, deps, poison, statusCounter, call, tokenFor };
}

export function text(response: HttpResponseInit): string {
  return typeof response.body === 'string' ? response.body : '';
}

export function location(response: HttpResponseInit): string | undefined {
  return (response.headers as Record<string, string> | undefined)?.Location;
}
