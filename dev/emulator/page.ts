import type { Catalog } from './catalog';
import { switchablePlans } from './changes';
import type { EmulatorContext } from './context';
import { availableActions } from './lifecycle';
import type { DeliveryRecord, SubscriptionRecord } from './model';

export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;line-height:1.4;color:#1b1b1b}
table{border-collapse:collapse;width:100%;margin-bottom:1rem}th,td{border:1px solid #8a8a8a;padding:.35rem;text-align:left;vertical-align:top}
caption{text-align:left;font-weight:600;padding:.25rem 0}form{display:inline-block;margin:.15rem .3rem .15rem 0}
fieldset{margin-bottom:1rem}label{margin-right:.6rem}button{margin:.1rem;padding:.2rem .5rem}
.notice{background:#e6f4ea;border:1px solid #1e7e34;padding:.5rem}.error{background:#fdecea;border:1px solid #b00020;padding:.5rem}
:focus-visible{outline:3px solid #005fcc;outline-offset:2px}code{word-break:break-all}`;

const SIMPLE_ACTIONS = ['Suspend', 'Reinstate', 'Renew', 'Unsubscribe'] as const;

function planOptions(ctx: EmulatorContext, sub: SubscriptionRecord): string {
  return switchablePlans(ctx, sub)
    .map((plan) => `<option value="${escapeHtml(plan.planId)}">${escapeHtml(plan.displayName)}</option>`)
    .join('');
}

/**
 * One row per subscription. It offers only the actions valid for the row's status (availableActions,
 * the rules fireCustomerAction enforces); a button's accessible name is its visible text, and the
 * row header (the subscription's name) tells rows apart.
 */
function subscriptionRow(ctx: EmulatorContext, sub: SubscriptionRecord): string {
  const action = `/control/ui/subscriptions/${encodeURIComponent(sub.id)}`;
  const offered = new Set(availableActions(ctx, sub));
  const term = sub.startDate === undefined ? sub.termUnit : `${sub.termUnit}: ${sub.startDate.slice(0, 10)} to ${(sub.endDate ?? '').slice(0, 10)}`;
  const planForm = offered.has('ChangePlan')
    ? `<form method="post" action="${action}/actions"><label>New plan <select name="planId">${planOptions(ctx, sub)}</select></label>` +
      '<button name="action" value="ChangePlan">Change plan</button></form>'
    : '';
  const quantityForm = offered.has('ChangeQuantity')
    ? `<form method="post" action="${action}/actions"><label>Seats <input type="number" name="quantity" min="1" value="${sub.quantity ?? 1}" required></label>` +
      '<button name="action" value="ChangeQuantity">Change quantity</button></form>'
    : '';
  const simple = SIMPLE_ACTIONS.filter((name) => offered.has(name));
  const simpleForm = simple.length === 0 ? '' : `<form method="post" action="${action}/actions">${simple.map((name) => `<button name="action" value="${name}">${name}</button>`).join('')}</form>`;
  return `<tr><th scope="row">${escapeHtml(sub.name)}<br><code>${escapeHtml(sub.id)}</code></th><td>${escapeHtml(sub.offerId)}</td>
<td>${escapeHtml(sub.planId)}${sub.isFreeTrial ? ' (trial)' : ''}</td><td>${sub.quantity ?? '—'}</td><td>${escapeHtml(sub.status)}</td><td>${escapeHtml(term)}</td>
<td>${planForm}${quantityForm}${simpleForm}
<form method="post" action="${action}/token"><button>Manage account (new token)</button></form></td></tr>`;
}

function purchaseForm(catalog: Catalog): string {
  const groups = catalog.offers
    .map(
      (offer) =>
        `<optgroup label="${escapeHtml(offer.displayName)}">${offer.plans
          .filter((plan) => !plan.isStopSell)
          .map((plan) => `<option value="${escapeHtml(`${offer.offerId}/${plan.planId}`)}">${escapeHtml(`${plan.displayName} (${plan.recurrentBillingTerms.map((t) => t.termUnit).join(', ')})`)}</option>`)
          .join('')}</optgroup>`,
    )
    .join('');
  return `<form method="post" action="/control/ui/purchases"><fieldset><legend>New purchase</legend>
<label>Plan <select name="offerPlan" required>${groups}</select></label>
<label>Seats (per-seat plans) <input type="number" name="quantity" min="1"></label>
<label>Term <select name="termUnit"><option value="">plan default</option>${['P1M', 'P1Y', 'P2Y', 'P3Y'].map((unit) => `<option>${unit}</option>`).join('')}</select></label>
<label>Beneficiary tenant <input name="beneficiaryTenantId" size="38"></label>
<label><input type="checkbox" name="csp" value="true"> CSP purchase</label>
<label><input type="checkbox" name="autoRenewOff" value="true"> autoRenew off</label>
<button>Buy</button></fieldset></form>`;
}

function deliveryRows(deliveries: DeliveryRecord[]): string {
  return deliveries
    .slice(-20)
    .reverse()
    .map((d) => {
      const last = d.attempts.at(-1);
      const outcome = last === undefined ? '—' : (last.status ?? last.error ?? '');
      return `<tr><td>${escapeHtml(d.action)}</td><td><code>${escapeHtml(d.subscriptionId)}</code></td><td>${escapeHtml(d.status)}</td><td>${d.attempts.length}</td><td>${escapeHtml(outcome)}</td><td>${escapeHtml(d.faults.join(', '))}</td></tr>`;
    })
    .join('');
}

function settingsForms(ctx: EmulatorContext): string {
  const config = ctx.state.config;
  return `<form method="post" action="/control/ui/config"><fieldset><legend>Settings</legend>
<label>Webhook URL (loopback) <input name="webhookUrl" size="40" value="${escapeHtml(config.webhookUrl)}"></label>
<label>Landing page URL <input name="landingPageUrl" size="40" value="${escapeHtml(config.landingPageUrl)}"></label>
<label>Ack window (ms) <input type="number" name="ackWindowMs" min="0" value="${config.ackWindowMs}"></label>
<label>Webhook token <select name="tokenVersion">${['v2', 'v1'].map((v) => `<option${v === config.tokenVersion ? ' selected' : ''}>${v}</option>`).join('')}</select></label>
<button>Save settings</button></fieldset></form>
<form method="post" action="/control/ui/clock"><label>Advance emulator time by (hours) <input type="number" name="hours" min="0" step="0.25" value="24" required></label><button>Advance time</button></form>
<form method="post" action="/control/ui/deliveries/release"><button>Send held webhooks</button></form>
<form method="post" action="/control/ui/reset"><button>Reset emulator</button></form>`;
}

/** The control page: plain HTML forms that post to /control/ui/… and redirect back (no JavaScript, no external assets). */
export function renderPage(ctx: EmulatorContext, query: URLSearchParams): string {
  const notice = query.get('notice');
  const error = query.get('error');
  const landing = query.get('landing');
  const landingLink = landing !== null && /^https?:\/\//.test(landing) ? `<p>Landing page: <a href="${escapeHtml(landing)}">${escapeHtml(landing)}</a></p>` : '';
  const subscriptions = [...ctx.state.subscriptions.values()];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Marketplace emulator</title><style>${STYLE}</style></head><body>
<header><h1>Azure Marketplace emulator</h1><p>Emulator time: <time>${escapeHtml(ctx.clock.now().toISOString())}</time>. Publisher tenant <code>${escapeHtml(ctx.identity.tenantId)}</code>.</p></header>
<main>
${notice === null ? '' : `<div class="notice" role="status">${escapeHtml(notice)}${landingLink}</div>`}
${error === null ? '' : `<div class="error" role="alert">${escapeHtml(error)}</div>`}
<section aria-labelledby="subscriptions-heading"><h2 id="subscriptions-heading">Subscriptions</h2>
${subscriptions.length === 0 ? '<p>No subscriptions yet: buy one below.</p>' : `<table><caption>${subscriptions.length} subscription(s)</caption>
<thead><tr><th scope="col">Name and id</th><th scope="col">Offer</th><th scope="col">Plan</th><th scope="col">Seats</th><th scope="col">Status</th><th scope="col">Term</th><th scope="col">Actions</th></tr></thead>
<tbody>${subscriptions.map((sub) => subscriptionRow(ctx, sub)).join('')}</tbody></table>`}
</section>
<section aria-labelledby="purchase-heading"><h2 id="purchase-heading">Buy</h2>${purchaseForm(ctx.catalog)}</section>
<section aria-labelledby="deliveries-heading"><h2 id="deliveries-heading">Recent webhook deliveries</h2>
${ctx.state.deliveries.length === 0 ? '<p>None yet.</p>' : `<table><caption>Latest 20, newest first</caption><thead><tr><th scope="col">Action</th><th scope="col">Subscription</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Faults</th></tr></thead><tbody>${deliveryRows(ctx.state.deliveries)}</tbody></table>`}
</section>
<section aria-labelledby="settings-heading"><h2 id="settings-heading">Settings and time</h2>${settingsForms(ctx)}</section>
</main></body></html>`;
}
