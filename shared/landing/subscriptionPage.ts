import type { HttpResponseInit } from '@azure/functions';
import type { MarketplaceSubscription } from '../marketplace';
import type { Party, SubscriptionRecord } from '../subscription/model';
import type { LandingState } from './landingState';
import { markup, type SafeHtml } from '../web/markup';
import { renderPage, type PageChrome } from './pageLayout';
import { termName, type PlanSummary } from './planSummary';

/** The Activate form of confirm mode; everything in it is escaped into attributes. */
export interface ActivateForm {
  action: string;
  subscriptionId: string;
  formToken: string;
  /** Sent back so the answer can redirect to this page; it is already in the page's own URL. */
  purchaseToken: string;
}

export interface SubscriptionView {
  state: LandingState;
  record: SubscriptionRecord;
  /** Microsoft's view (from Resolve). */
  subscription: MarketplaceSubscription;
  plan: PlanSummary;
  /** This page's own URL, relative (for "Refresh now"). */
  pageUrl: string;
  form?: ActivateForm;
}

/** How often a pending page reloads itself. */
export const PENDING_REFRESH_SECONDS = 5;

const TITLES: Record<LandingState, string> = {
  confirm: 'Activate your subscription',
  pending: 'Setting up your subscription',
  active: 'Your subscription',
  suspended: 'Your subscription is suspended',
  unsubscribed: 'Your subscription has ended',
  failed: 'Activation failed, we are on it',
};

const BADGES: Record<LandingState, string> = {
  confirm: 'Awaiting your confirmation',
  pending: 'Activating',
  active: 'Active',
  suspended: 'Suspended',
  unsubscribed: 'Ended',
  failed: 'Activation failed',
};

function statusText(view: SubscriptionView, productName: string): SafeHtml {
  switch (view.state) {
    case 'confirm':
      return markup`Check the details below, then select Activate. Billing starts when your subscription is active.`;
    case 'pending':
      return markup`We are activating your subscription. This page refreshes itself every ${PENDING_REFRESH_SECONDS} seconds. <a href="${view.pageUrl}">Refresh now</a>`;
    case 'active':
      return markup`Your subscription to ${productName} is active.`;
    case 'suspended':
      return markup`Microsoft has not received payment for this subscription. Update your payment method in the Azure portal or the Microsoft 365 admin center; your data is kept during the 30-day grace period.`;
    case 'unsubscribed':
      return markup`This subscription was cancelled or has expired. To use ${productName} again, buy a new subscription in Azure Marketplace.`;
    case 'failed':
      return markup`We could not activate your subscription. Our team has been alerted and will finish the set-up; you are not billed until your subscription is active. If you contact support, quote reference <code>${view.record.id}</code>.`;
  }
}

function nextSteps(state: LandingState): SafeHtml[] {
  const manage = markup`<li>You can come back to this page at any time: open the subscription in the Azure portal or the Microsoft 365 admin center and select <strong>Manage account</strong>.</li>`;
  if (state === 'confirm' || state === 'pending') {
    return [markup`<li>Once your subscription is active you will receive a welcome e-mail with how to sign in.</li>`, manage];
  }
  if (state === 'active') {
    return [markup`<li>To change your plan or number of seats, or to cancel, use the Azure portal or the Microsoft 365 admin center.</li>`, manage];
  }
  return [manage];
}

function date(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString().slice(0, 10);
}

function party(value: Party | undefined): string | undefined {
  return value?.emailId ?? value?.objectId;
}

function row(label: string, value: string | SafeHtml | undefined | false): SafeHtml | undefined {
  return value === undefined || value === false || value === '' ? undefined : markup`<dt>${label}</dt><dd>${value}</dd>`;
}

function details(view: SubscriptionView): SafeHtml {
  const { record, subscription, plan } = view;
  const term = { ...record.term, ...stripUndefined(subscription.term ?? {}) };
  const dates = term.startDate !== undefined && term.endDate !== undefined ? `${date(term.startDate)} to ${date(term.endDate)}` : undefined;
  const purchaser = party(subscription.purchaser ?? record.purchaser);
  const beneficiary = party(subscription.beneficiary ?? record.beneficiary);
  const renewal = view.state === 'active' && ((subscription.autoRenew ?? record.autoRenew) ? 'Renews automatically' : 'Ends at the end of the term');
  return markup`<dl class="details">${[
    row('Subscription', subscription.name ?? record.name),
    row('Offer', record.offerId),
    row('Plan', plan.description ? markup`${plan.name} <span class="muted">(${plan.description})</span>` : plan.name),
    row('Seats', record.quantity === undefined ? undefined : String(record.quantity)),
    row('Billing term', termName(term.termUnit)),
    row('Price', plan.price),
    row('Total', plan.total),
    row('Free trial', record.isFreeTrial && 'Yes'),
    row('Current term', dates),
    row('Renewal', renewal),
    row('Status', BADGES[view.state]),
    row('Purchased by', purchaser),
    row('Used by', beneficiary !== purchaser && beneficiary),
    row('Reference', record.id),
  ]}</dl>`;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined && item !== null)) as Partial<T>;
}

function activateForm(form: ActivateForm): SafeHtml {
  return markup`<form class="activate" method="post" action="${form.action}">
<input type="hidden" name="subscriptionId" value="${form.subscriptionId}">
<input type="hidden" name="formToken" value="${form.formToken}">
<input type="hidden" name="token" value="${form.purchaseToken}">
<button type="submit">Activate subscription</button>
</form>`;
}

function testNotice(record: SubscriptionRecord): SafeHtml | undefined {
  const test = record.isTest || record.sessionMode === 'DryRun' || record.sandboxType === 'Csp';
  return test ? markup`<p class="notice">This is a test purchase: nothing is billed.</p>` : undefined;
}

/** The page of one subscription: status, Activate form (confirm), details and next steps. */
export function renderSubscriptionPage(chrome: PageChrome, view: SubscriptionView): HttpResponseInit {
  const body = markup`<p class="status status-${view.state}" role="status"><span class="badge">${BADGES[view.state]}</span> ${statusText(view, chrome.productName)}</p>
${testNotice(view.record)}
${view.state === 'confirm' && view.form && activateForm(view.form)}
<section aria-labelledby="details-heading">
<h2 id="details-heading">Subscription details</h2>
${details(view)}
</section>
<section aria-labelledby="next-heading">
<h2 id="next-heading">Next steps</h2>
<ul>${nextSteps(view.state)}</ul>
</section>`;
  return renderPage(chrome, {
    status: 200,
    title: TITLES[view.state],
    body,
    refreshSeconds: view.state === 'pending' ? PENDING_REFRESH_SECONDS : undefined,
  });
}
