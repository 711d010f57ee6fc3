import type { CatalogPlan } from '../catalog';
import type { PendingBucket, UsageReport } from '../metering';
import type { PoisonListing } from '../operations/poisonQueue';
import type { ReconcileReport } from '../reconciliation';
import type { OperationRecord } from '../storage';
import { markup, type SafeHtml } from '../web/markup';
import { ADMIN_ROLE, CONSOLE_BASE, READER_ROLE } from './access';
import { cells, subscriptionLink, table, tokenField, when } from './layout';

/** The ledger row's raw webhook payload is not shown; these are the facts of the delivery log. */
function verification(op: OperationRecord): string {
  if (op.source === 'Publisher') return 'our request';
  return op.state === 'Rejected' ? 'rejected' : op.state === 'Received' ? 'received' : 'verified with Microsoft';
}

function timing(op: OperationRecord): string {
  const ms = Date.parse(op.updatedAt) - Date.parse(op.receivedAt);
  return Number.isFinite(ms) && ms >= 0 ? `${(ms / 1000).toFixed(1)} s` : '';
}

export interface OperationsView {
  operations: OperationRecord[];
  failedOnly: boolean;
  hours: number;
  /** More rows matched than were read. */
  truncated: boolean;
}

export function operationsBody(view: OperationsView): SafeHtml {
  const rows = view.operations.map((op) =>
    cells(when(op.receivedAt), op.action, op.source, verification(op), op.state, op.marketplaceStatus, String(op.attempts), timing(op), op.lastError && `${op.lastError.code}: ${op.lastError.message}`, subscriptionLink(op.subscriptionId)),
  );
  return markup`<form class="filters" method="get" action="${CONSOLE_BASE}/operations">
<label for="hours">Received in the last<select id="hours" name="hours">${[1, 24, 72, 168].map((h) => markup`<option value="${h}"${h === view.hours ? markup` selected` : ''}>${h} hours</option>`)}</select></label>
<label for="failed">Show<select id="failed" name="failed"><option value="">all operations</option><option value="1"${view.failedOnly ? markup` selected` : ''}>failed and rejected only</option></select></label>
<button type="submit">Show</button></form>
<p class="muted">Webhook deliveries and publisher requests, newest first. Decision and acknowledgement: the state (Completed = verified, decided and acknowledged; Rejected = refused by the ISV or Microsoft); timing: from receipt to the last update.${view.truncated ? ' Only the newest rows read are shown: narrow the window.' : ''}</p>
${table('Delivery log', ['Received', 'Action', 'Source', 'Verification', 'State', 'Microsoft', 'Attempts', 'Timing', 'Error', 'Subscription'], rows, 'No operation in this window.')}`;
}

export function poisonBody(listings: readonly PoisonListing[], tokens: Record<string, string> | undefined, errors: Record<string, string>): SafeHtml {
  return markup`${listings.map((listing) => {
    const rows = listing.messages.map((message) => {
      const body = 'body' in message && typeof message.body === 'object' && message.body !== null ? (message.body as Record<string, unknown>) : {};
      const subscriptionId = typeof body.subscriptionId === 'string' ? body.subscriptionId : undefined;
      const replay =
        tokens &&
        markup`<form class="inline" method="post" action="${CONSOLE_BASE}/poison/${listing.queue}/replay">${tokenField(tokens[listing.queue] ?? '')}<input type="hidden" name="messageId" value="${message.messageId}"><button class="secondary" type="submit">Replay</button></form>`;
      return cells(
        markup`<code>${message.messageId}</code>`,
        when(message.insertedOn),
        String(message.dequeueCount),
        subscriptionId === undefined ? ('undecodable' in message ? 'undecodable message' : '') : subscriptionLink(subscriptionId),
        [body.action, body.operationId ?? body.id, body.requestId].filter((v) => typeof v === 'string').join(' '),
        subscriptionId === undefined ? undefined : errors[subscriptionId],
        replay,
      );
    });
    const replayAll =
      tokens &&
      listing.approximateCount > 0 &&
      markup`<form class="inline" method="post" action="${CONSOLE_BASE}/poison/${listing.queue}/replay">${tokenField(tokens[listing.queue] ?? '')}<button type="submit">Replay all of ${listing.poisonQueue}</button></form>`;
    return markup`<section aria-labelledby="queue-${listing.queue}"><h2 id="queue-${listing.queue}">${listing.poisonQueue} (${listing.approximateCount})</h2>
${table(`Messages of ${listing.poisonQueue}`, ['Message', 'Failed at', 'Attempts', 'Subscription', 'What', 'Error', ''], rows, 'Empty.')}${replayAll}</section>`;
  })}<p class="muted">A message lands here after every attempt failed. Fix the cause (the error is the subscription's last error), then replay: the message goes back to its queue and is processed again.${
    tokens === undefined ? ' Replaying needs the Console.Admin role.' : ''
  }</p>`;
}

export function usageBody(subscriptionId: string | undefined, report: UsageReport | undefined, pending: readonly PendingBucket[]): SafeHtml {
  const form = markup`<form class="filters" method="get" action="${CONSOLE_BASE}/usage"><label for="subscriptionId">Subscription id<input id="subscriptionId" name="subscriptionId" value="${subscriptionId ?? ''}" size="38" required></label><button type="submit">Show usage</button></form>`;
  const hours =
    report &&
    markup`<section aria-labelledby="hours"><h2 id="hours">Hours of ${subscriptionLink(report.subscriptionId)}</h2>${table(
      'Usage hours',
      ['Hour', 'Dimension', 'Plan', 'Recorded', 'Records', 'Late records', 'Status', 'Sent', 'Billed', 'Unbilled', 'Microsoft', 'Why'],
      report.hours.map((h) =>
        cells(when(h.hour), h.dimension, h.planId, String(h.recordedQuantity), String(h.records), String(h.lateRecords), h.status, h.sentQuantity === undefined ? '' : String(h.sentQuantity), h.billedQuantity === undefined ? '' : String(h.billedQuantity), String(h.unbilledQuantity), h.marketplaceStatus, h.lastError?.message),
      ),
      'No usage in this window.',
    )}<p>Total recorded ${String(sum(report.hours.map((h) => h.recordedQuantity)))}, billed ${String(sum(report.hours.map((h) => h.billedQuantity ?? 0)))}, unbilled (late or rejected) ${String(sum(report.hours.map((h) => h.unbilledQuantity)))}.</p></section>`;
  const pendingRows = pending.map((p) => cells(when(p.hour), p.dimension, subscriptionLink(p.subscriptionId), p.offerId, p.planId));
  return markup`${form}${hours}<section aria-labelledby="pending"><h2 id="pending">Hours waiting for emission (all subscriptions)</h2>${table('Pending hours', ['Hour', 'Dimension', 'Subscription', 'Offer', 'Plan'], pendingRows, 'Nothing is waiting.')}</section>`;
}

function sum(values: readonly number[]): number {
  return Math.round(values.reduce((a, b) => a + b, 0) * 1e9) / 1e9;
}

export function plansBody(plans: readonly CatalogPlan[], more: boolean): SafeHtml {
  const rows = plans.map((p) =>
    cells(
      p.offerId,
      p.planId,
      p.displayName,
      p.isPrivate ? 'private' : 'public',
      p.isStopSell ? 'stop-sell' : '',
      p.isPricePerSeat ? `per seat (${p.minQuantity ?? '?'}–${p.maxQuantity ?? '?'})` : 'flat rate',
      p.billingTerms.map((t) => `${t.price ?? '?'} ${t.currency ?? ''} / ${t.termDescription ?? t.termUnit ?? ''}`).join('; '),
      p.meteringDimensions.map((d) => d.id).join(', '),
      when(p.learnedAt),
    ),
  );
  return markup`<p class="muted">Plans as Microsoft listed them (List Available Plans), private plans included, per offer.${more ? ' Only the first 500 are shown.' : ''}</p>
${table('Plan catalog', ['Offer', 'Plan', 'Name', 'Visibility', 'Sale', 'Pricing', 'Billing terms', 'Dimensions', 'Learned'], rows, 'No plan learned yet: open a subscription or run a reconciliation.')}`;
}

export function reconcileBody(token: string | undefined, result: string | undefined): SafeHtml {
  const form = token
    ? markup`<form method="post" action="${CONSOLE_BASE}/reconcile">${tokenField(token)}<button type="submit">Reconcile now</button></form>`
    : markup`<p class="muted">Running a reconciliation needs the Console.Admin role.</p>`;
  return markup`<p>Compares every subscription Microsoft lists with the stored ones, repairs drift through the state machine, recovers operations whose webhook never arrived and refreshes the plan catalog. It can take a while with many subscriptions.</p>${form}${
    result && markup`<h2>Result of the last run</h2><pre class="notice">${result}</pre>`
  }`;
}

export function reconcileSummary(report: ReconcileReport): string {
  const drift = Object.entries(report.drift).map(([field, n]) => `${field} ${n}`).join(', ');
  return [
    `Run ${report.runId}, ${report.startedAt} to ${report.finishedAt}`,
    `seen ${report.seen}, unchanged ${report.unchanged}, repaired ${report.repaired}, imported ${report.imported}, failed ${report.failed}`,
    `operations checked ${report.operationsChecked}, recovered ${report.operationsRecovered}`,
    drift === '' ? 'no drift' : `drift: ${drift}`,
    ...report.failures.slice(0, 5).map((f) => `failed ${f.subscriptionId}: ${f.error}`),
  ].join('\n');
}

export function signInBody(token: string, returnTo: string): SafeHtml {
  return markup`<p>Local development only: pick a name and a role. In Azure the console uses App Service Authentication and the Entra app roles ${ADMIN_ROLE} and ${READER_ROLE}.</p>
<form method="post" action="${CONSOLE_BASE}/signin">${tokenField(token)}<input type="hidden" name="returnTo" value="${returnTo}">
<p><label for="name">Your name</label><br><input id="name" name="name" required maxlength="80" autocomplete="name"></p>
<p><label for="role">Role</label><br><select id="role" name="role"><option value="${ADMIN_ROLE}">${ADMIN_ROLE} (read and act)</option><option value="${READER_ROLE}">${READER_ROLE} (read only)</option></select></p>
<button type="submit">Sign in</button></form>`;
}
