import { configUpdateSchema } from './config';
import type { EmulatorContext } from './context';
import { advanceClock, controlPurchase, controlSubscription, newToken, updateConfig, type ControlDeps } from './control';
import { HttpError, parseFormBody, redirect, type EmulatorRequest, type EmulatorResponse, type Router } from './http';
import { CUSTOMER_ACTIONS, fireCustomerAction, type CustomerAction } from './lifecycle';
import { renderPage } from './page';
import { purchaseSchema } from './purchases';

function back(params: Record<string, string | undefined>): EmulatorResponse {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  return redirect(`/?${query.toString()}`);
}

function messageOf(error: unknown): string {
  if (error instanceof HttpError) {
    const body = error.body as { error?: { message?: string }; message?: string } | undefined;
    return body?.error?.message ?? body?.message ?? `HTTP ${error.status}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs a form action and redirects back to the page with a notice, or with the error it raised. */
function form(run: (fields: URLSearchParams, req: EmulatorRequest) => Record<string, string | undefined>) {
  return (req: EmulatorRequest): EmulatorResponse => {
    try {
      return back(run(parseFormBody(req), req));
    } catch (error) {
      if (error instanceof HttpError && error.status >= 500) throw error;
      return back({ error: messageOf(error) });
    }
  };
}

const optionalNumber = (value: string | null): number | undefined => (value === null || value.trim() === '' ? undefined : Number(value));
const optionalText = (value: string | null): string | undefined => (value === null || value.trim() === '' ? undefined : value.trim());

/** GET / and the form endpoints under /control/ui (POST, then 303 back to /). */
export function registerUiRoutes(router: Router, ctx: EmulatorContext, deps: ControlDeps): void {
  router
    .add('GET', '/', (req) => ({ status: 200, text: renderPage(ctx, req.url.searchParams), contentType: 'text/html; charset=utf-8' }))
    // Browsers ask for it on every page view: no icon, and no "unknown path" warning either.
    .add('GET', '/favicon.ico', () => ({ status: 204, headers: { 'cache-control': 'max-age=86400' } }))
    .add(
      'POST',
      '/control/ui/purchases',
      form((fields) => {
        const [offerId = '', planId = ''] = (fields.get('offerPlan') ?? '').split('/');
        const input = purchaseSchema.safeParse({
          offerId,
          planId,
          quantity: optionalNumber(fields.get('quantity')),
          termUnit: optionalText(fields.get('termUnit')),
          beneficiaryTenantId: optionalText(fields.get('beneficiaryTenantId')),
          csp: fields.get('csp') === 'true',
          autoRenew: fields.get('autoRenewOff') !== 'true',
        });
        if (!input.success) return { error: 'Choose a plan; seats must be a whole number.' };
        const result = controlPurchase(ctx, input.data);
        return { notice: `Purchased subscription ${String(result.subscriptionId)}.`, landing: (result.landingUrl as string | null) ?? undefined };
      }),
    )
    .add(
      'POST',
      '/control/ui/subscriptions/:subscriptionId/actions',
      form((fields, req) => {
        const sub = controlSubscription(ctx, req.params.subscriptionId ?? '');
        const action = fields.get('action') ?? '';
        if (!(CUSTOMER_ACTIONS as readonly string[]).includes(action)) return { error: `Unknown action ${action}.` };
        const op = fireCustomerAction(ctx, sub, {
          action: action as CustomerAction,
          planId: action === 'ChangePlan' ? optionalText(fields.get('planId')) : undefined,
          quantity: action === 'ChangeQuantity' ? optionalNumber(fields.get('quantity')) : undefined,
        });
        return { notice: `${op.action} fired: operation ${op.id} is ${op.status}.` };
      }),
    )
    .add(
      'POST',
      '/control/ui/subscriptions/:subscriptionId/token',
      form((_fields, req) => {
        const result = newToken(ctx, req.params.subscriptionId ?? '');
        return { notice: 'New purchase token issued.', landing: (result.landingUrl as string | null) ?? undefined };
      }),
    )
    .add(
      'POST',
      '/control/ui/config',
      form((fields) => {
        const update = configUpdateSchema.safeParse({
          webhookUrl: optionalText(fields.get('webhookUrl')) ?? null,
          landingPageUrl: optionalText(fields.get('landingPageUrl')) ?? null,
          ackWindowMs: optionalNumber(fields.get('ackWindowMs')),
          tokenVersion: fields.get('tokenVersion') === 'v1' ? 'v1' : 'v2',
        });
        if (!update.success) return { error: 'The ack window must be a whole number of milliseconds.' };
        updateConfig(ctx, update.data);
        return { notice: 'Settings saved.' };
      }),
    )
    .add(
      'POST',
      '/control/ui/clock',
      form((fields) => {
        const hours = optionalNumber(fields.get('hours')) ?? 0;
        if (!Number.isFinite(hours) || hours < 0) return { error: 'Hours must be a positive number.' };
        return { notice: `Emulator time is now ${advanceClock(ctx, Math.round(hours * 3_600_000)).now}.` };
      }),
    )
    .add(
      'POST',
      '/control/ui/deliveries/release',
      form(() => ({ notice: `${deps.webhooks.releaseHeld()} held webhook(s) sent.` })),
    )
    .add(
      'POST',
      '/control/ui/reset',
      form(() => {
        deps.reset();
        return { notice: 'Emulator reset.' };
      }),
    );
}
