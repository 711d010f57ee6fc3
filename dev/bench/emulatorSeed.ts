import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { randomUUID } from 'node:crypto';
import { MARKETPLACE_SCOPE } from '../../shared/marketplace';
import { DEFAULT_CLIENT_SECRET } from '../emulator';
import type { SubscriptionRecord as EmulatorSubscription } from '../emulator/model';

/** Helpers the benchmarks share to seed the in-process emulator and to call its API as the publisher. */

/** A Subscribed emulator subscription (per-seat on even indexes), to put straight into its state. */
export function emulatorSubscription(index: number, now: Date): EmulatorSubscription {
  const perSeat = index % 2 === 0;
  const party = { emailId: `buyer${index}@customer.example`, objectId: randomUUID(), tenantId: randomUUID(), puid: null };
  return {
    id: randomUUID(),
    name: `Bench ${index}`,
    offerId: perSeat ? 'contoso-seats' : 'contoso-analytics',
    planId: perSeat ? 'team' : 'starter',
    ...(perSeat ? { quantity: 5 + (index % 40) } : {}),
    status: 'Subscribed',
    beneficiary: party,
    purchaser: { ...party },
    termUnit: 'P1M',
    startDate: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
    endDate: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).toISOString(),
    autoRenew: true,
    isTest: false,
    isFreeTrial: false,
    allowedCustomerOperations: ['Read', 'Update', 'Delete'],
    sandboxType: 'None',
    sessionMode: 'None',
    created: new Date(now.getTime() + index).toISOString(),
    lastModified: now.toISOString(),
    azureSubscriptionId: randomUUID(),
  };
}

/** The publisher's token from the emulator's plain-HTTP authority route, as a TokenCredential. */
export async function emulatorCredential(emulator: { emulatorUrl: string; tenantId: string; appId: string }): Promise<TokenCredential> {
  const response = await fetch(`${emulator.emulatorUrl}/${emulator.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: emulator.appId, client_secret: DEFAULT_CLIENT_SECRET, scope: MARKETPLACE_SCOPE }).toString(),
  });
  const body = (await response.json()) as { access_token?: string; expires_in?: number | string };
  if (body.access_token === undefined) throw new Error(`the emulator issued no token (${response.status})`);
  const token: AccessToken = { token: body.access_token, expiresOnTimestamp: Date.now() + Number(body.expires_in ?? 3600) * 1000 };
  return { getToken: () => Promise.resolve(token) };
}
