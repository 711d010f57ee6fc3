import type { SubscriptionDetail } from '../admin';
import type { UsageHourView } from '../metering';
import type { OperationStatusView } from '../publisherOperations';
import type { HistoryEntry, OperationRecord } from '../storage';
import type { Party, SubscriptionRecord } from '../subscription/model';
import { markup, type SafeHtml } from '../web/markup';
import { CONSOLE_BASE } from './access';
import { cells, table, tokenField, when } from './layout';

export type ConsoleAction = 'plan' | 'seats' | 'cancel';

export function subscriptionPath(id: string, action?: ConsoleAction): string {
  return `${CONSOLE_BASE}/subscriptions/${encodeURIComponent(id)}${action === undefined ? '' : `/${action}`}`;
}

function party(value: Party | undefined): string | undefined {
  if (value === undefined) return undefined;
  return [value.emailId, value.tenantId && `tenant ${value.tenantId}`].filter(Boolean).join(', ') || value.objectId;
}

function row(label: string, value: string | SafeHtml | undefined): SafeHtml | undefined {
  return value === undefined || value === '' ? undefined : markup`<dt>${label}</dt><dd>${value}</dd>`;
}

function record(s: SubscriptionRecord): SafeHtml {
  return markup`<dl class="details">${[
    row('Name', s.name),
    row('Id', markup`<code>${s.id}</code>`),
    row('Status', s.status),
    row('Offer', s.offerId),
    row('Plan', s.planId),
    row('Seats', s.quantity === undefined ? undefined : String(s.quantity)),
    row('Term', [s.term.termUnit, s.term.startDate && `${when(s.term.startDate)} to ${when(s.term.endDate)}`].filter(Boolean).join(', ')),
    row('Auto-renew', s.autoRenew ? 'Yes' : 'No'),
    row('Test / free trial', `${s.isTest ? 'test' : 'not test'}, ${s.isFreeTrial ? 'free trial' : 'paid'}`),
    row('Customer may', s.allowedCustomerOperations.join(', ')),
    row('Purchaser', party(s.purchaser)),
    row('Beneficiary', party(s.beneficiary)),
    row('Last error', s.lastError && `${s.lastError.code}: ${s.lastError.message} (${when(s.lastError.at)})`),
    row('Stored', `created ${when(s.createdAt)}, updated ${when(s.updatedAt)}`),
  ]}</dl>`;
}

function value(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function timeline(items: readonly HistoryEntry[]): SafeHtml {
  if (items.length === 0) return markup`<p class="muted">No history yet.</p>`;
  return markup`<ol class="timeline">${items.map(
    (e) =>
      markup`<li><strong>${e.kind}</strong> <span class="muted">${when(e.at)}</span>${(e.from !== undefined || e.to !== undefined) && markup`<br>${value(e.from)} → ${value(e.to)}`}${e.detail && markup`<br>${e.detail}`}</li>`,
  )}</ol>`;
}

export function trackingPanel(status: OperationStatusView): SafeHtml {
  const cls = !status.done ? 'status-pending' : status.state === 'Completed' ? 'status-active' : 'status-failed';
  return markup`<section aria-labelledby="tracking"><h2 id="tracking">Your ${status.action} request</h2>
<p class="status ${cls}" role="status"><span class="badge">${status.state}</span> Microsoft: ${status.marketplaceStatus ?? 'no answer yet'}${status.localOutcome && markup` · here: ${status.localOutcome}`}${
    !status.done && markup` · this page refreshes itself until the operation is final`
  }</p>${status.error && markup`<p>${status.error.code}: ${status.error.message}</p>`}<p class="muted">Request ${status.id}, sent ${when(status.requestedAt)}, ${status.polls} poll(s).</p></section>`;
}

function actions(view: SubscriptionView): SafeHtml {
  const s = view.detail.subscription;
  if (!view.canAct) return markup`<p class="muted">Changing a subscription needs the Console.Admin role.</p>`;
  const otherPlans = view.detail.plans.filter((plan) => !plan.current);
  const currentPlan = view.detail.plans.find((plan) => plan.current);
  const planForm =
    otherPlans.length > 0
      ? markup`<form class="inline" method="get" action="${subscriptionPath(s.id, 'plan')}"><label for="planId">New plan<select id="planId" name="planId">${otherPlans.map(
          (plan) => markup`<option value="${plan.planId}">${plan.displayName ?? plan.planId} (${plan.planId}${plan.isPrivate ? ', private' : ''})</option>`,
        )}</select></label><button type="submit">Change plan…</button></form>`
      : markup`<p class="muted">No other plan of this offer is known.</p>`;
  const seatsForm =
    currentPlan?.isPricePerSeat === true || s.quantity !== undefined
      ? markup`<form class="inline" method="get" action="${subscriptionPath(s.id, 'seats')}"><label for="quantity">Seats<input id="quantity" name="quantity" type="number" min="${currentPlan?.minQuantity ?? 1}" max="${currentPlan?.maxQuantity ?? 1000000}" value="${s.quantity ?? ''}" required></label><button type="submit">Change seats…</button></form>`
      : undefined;
  const cancelForm = s.status !== 'Unsubscribed' && markup`<form class="inline" method="get" action="${subscriptionPath(s.id, 'cancel')}"><button class="danger" type="submit">Cancel subscription…</button></form>`;
  return markup`${planForm}${seatsForm}${cancelForm}<p class="muted">Each action asks for confirmation first, then Microsoft does the change and this page follows it.</p>`;
}

export interface SubscriptionView {
  detail: SubscriptionDetail;
  operations: OperationRecord[];
  usage: UsageHourView[] | string;
  tracking?: OperationStatusView;
  canAct: boolean;
}

export function subscriptionBody(view: SubscriptionView): SafeHtml {
  const { detail } = view;
  const plans = detail.plans.map((p) =>
    cells(p.planId, p.displayName, p.isPrivate ? 'private' : 'public', p.isPricePerSeat ? `per seat ${p.minQuantity ?? ''}–${p.maxQuantity ?? ''}` : 'flat', p.current ? 'current' : ''),
  );
  const operations = view.operations.map((op) => cells(when(op.receivedAt), op.action, op.source, op.state, op.marketplaceStatus, op.quantity === undefined ? op.planId : String(op.quantity), op.lastError?.message));
  const usage =
    typeof view.usage === 'string'
      ? markup`<p class="muted">${view.usage}</p>`
      : table(
          'Usage by hour',
          ['Hour', 'Dimension', 'Recorded', 'Status', 'Billed', 'Unbilled', 'Error'],
          view.usage.map((h) => cells(when(h.hour), h.dimension, String(h.recordedQuantity), h.status, h.billedQuantity === undefined ? '' : String(h.billedQuantity), String(h.unbilledQuantity), h.lastError?.message)),
          'No usage in the last 48 hours.',
        );
  return markup`${view.tracking && trackingPanel(view.tracking)}
<section aria-labelledby="record"><h2 id="record">Record</h2>${record(detail.subscription)}</section>
<section aria-labelledby="actions"><h2 id="actions">Actions</h2>${actions(view)}</section>
<section aria-labelledby="plans"><h2 id="plans">Plans of this offer</h2>${table('Plans', ['Plan', 'Name', 'Visibility', 'Pricing', ''], plans, 'No plan of this offer is known yet.')}</section>
<section aria-labelledby="history"><h2 id="history">History</h2>${timeline(detail.history.items)}</section>
<section aria-labelledby="ops"><h2 id="ops">Operations</h2>${table('Operations of this subscription', ['Received', 'Action', 'Source', 'State', 'Microsoft', 'Plan or seats', 'Error'], operations, 'No operation recorded.')}</section>
<section aria-labelledby="usage"><h2 id="usage">Usage by hour (last 48 hours)</h2>${usage}</section>`;
}

/** What Microsoft will do, said before the operator confirms. */
export function confirmationText(action: ConsoleAction, s: SubscriptionRecord, target: { planId?: string; planName?: string; quantity?: number }): SafeHtml {
  switch (action) {
    case 'plan':
      return markup`Microsoft will move <strong>${s.name}</strong> from plan <strong>${s.planId}</strong> to <strong>${target.planName ?? target.planId}</strong> (${target.planId}). The customer is billed for the new plan from now on, as Microsoft prorates it; Microsoft also sends a ChangePlan notification, and this app follows the operation until Microsoft reports it final. Do this only with the customer's approval.`;
    case 'seats':
      return markup`Microsoft will change the seats of <strong>${s.name}</strong> from <strong>${s.quantity ?? 'none'}</strong> to <strong>${target.quantity}</strong>. The customer is billed for ${target.quantity} seats from now on, as Microsoft prorates it; this app follows the operation until Microsoft reports it final. Do this only with the customer's approval.`;
    case 'cancel':
      return markup`Microsoft will <strong>cancel ${s.name}</strong> now (Unsubscribe). Billing stops and the customer loses access; this cannot be undone: to use the product again the customer must buy a new subscription. Do this only with the customer's approval.`;
  }
}

export function confirmationBody(action: ConsoleAction, s: SubscriptionRecord, target: { planId?: string; planName?: string; quantity?: number }, token: string): SafeHtml {
  const hidden = markup`${target.planId !== undefined && markup`<input type="hidden" name="planId" value="${target.planId}">`}${
    target.quantity !== undefined && markup`<input type="hidden" name="quantity" value="${target.quantity}">`
  }`;
  const label = action === 'plan' ? 'Change the plan' : action === 'seats' ? 'Change the seats' : 'Cancel the subscription';
  return markup`<div class="confirm"><p>${confirmationText(action, s, target)}</p>
<form method="post" action="${subscriptionPath(s.id, action)}">${tokenField(token)}${hidden}<button${action === 'cancel' ? markup` class="danger"` : ''} type="submit">${label}</button></form>
<p><a href="${subscriptionPath(s.id)}">Back without changing anything</a></p></div>`;
}
