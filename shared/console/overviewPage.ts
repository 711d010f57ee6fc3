import type { ReadinessReport } from '../readiness';
import type { JobRun } from '../runs';
import type { OperationRecord } from '../storage';
import { SUBSCRIPTION_STATUSES } from '../subscription/model';
import { markup, type SafeHtml } from '../web/markup';
import { CONSOLE_BASE } from './access';
import { cells, subscriptionLink, table, when } from './layout';
import type { StatusCountsView } from './statusCounts';

export interface OverviewData {
  /** Subscriptions by status and when they were counted, or why they are unknown. */
  statusCounts: StatusCountsView | string;
  /** Operations received in the last 24 hours, newest first. */
  recent: OperationRecord[];
  poison: Array<{ queue: string; count: number }>;
  /** The last run of each timer job (reconciliation, usage emission, retention), or why it is unknown. */
  runs: JobRun[] | string;
  /** GET /api/health/ready's report, or why it is unknown; absent when not wired. */
  readiness?: ReadinessReport | string;
}

function runsPanel(runs: JobRun[] | string): SafeHtml {
  if (typeof runs === 'string') return markup`<p class="muted">${runs}</p>`;
  const rows = runs.map((run) =>
    cells(run.job, run.outcome, when(run.finishedAt ?? run.startedAt), Object.entries(run.counts).map(([name, n]) => `${name} ${n}`).join(', '), run.error),
  );
  return table('Last runs', ['Job', 'Outcome', 'At', 'Counts', 'Error'], rows, 'No timer job has run yet.');
}

function readinessPanel(readiness: ReadinessReport | string | undefined): SafeHtml {
  if (readiness === undefined) return markup`<p class="muted">Readiness is not checked here.</p>`;
  if (typeof readiness === 'string') return markup`<p class="status status-error">${readiness}</p>`;
  const cls = readiness.status === 'ready' ? 'status-active' : 'status-failed';
  const failing = readiness.failing.length > 0 && markup` · failing: ${readiness.failing.join(', ')}`;
  return markup`<p class="status ${cls}" role="status"><span class="badge">${readiness.status === 'ready' ? 'Ready' : 'Not ready'}</span> ${readiness.checks.length} checks at ${when(readiness.checkedAt)}${failing}</p>`;
}

function statusPanel(statusCounts: StatusCountsView | string): SafeHtml {
  if (typeof statusCounts === 'string') return markup`<p class="status status-error">${statusCounts}</p>`;
  const rows = SUBSCRIPTION_STATUSES.map((status) => cells(markup`<a href="${CONSOLE_BASE}/subscriptions?status=${status}">${status}</a>`, String(statusCounts.counts[status])));
  const total = SUBSCRIPTION_STATUSES.reduce((sum, status) => sum + statusCounts.counts[status], 0);
  return markup`${table('Subscriptions by status', ['Status', 'Subscriptions'], rows)}<p class="muted">${total} in all, counted at ${when(statusCounts.countedAt)} (at most once a minute).</p>`;
}

function outcomeCounts(recent: readonly OperationRecord[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const operation of recent) counts.set(operation.state, (counts.get(operation.state) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

export function overviewBody(data: OverviewData): SafeHtml {
  const recentRows = data.recent.slice(0, 10).map((op) => cells(when(op.receivedAt), op.action, op.source, op.state, op.marketplaceStatus, subscriptionLink(op.subscriptionId)));
  const poisonRows = data.poison.map(({ queue, count }) => cells(markup`<a href="${CONSOLE_BASE}/poison#queue-${queue}">${queue}-poison</a>`, String(count)));
  return markup`<div class="panels">
<section class="panel" aria-labelledby="by-status"><h2 id="by-status">Subscriptions by status</h2>${statusPanel(data.statusCounts)}</section>
<section class="panel" aria-labelledby="outcomes"><h2 id="outcomes">Operations, last 24 hours</h2>${table('Operation outcomes', ['State', 'Operations'], outcomeCounts(data.recent).map(([state, n]) => cells(state, String(n))), 'No operation in the last 24 hours.')}
<p><a href="${CONSOLE_BASE}/operations?failed=1">Failed and rejected operations</a></p></section>
<section class="panel" aria-labelledby="poison-depths"><h2 id="poison-depths">Poison queues</h2>${table('Poison queue depths', ['Queue', 'Messages'], poisonRows)}</section>
<section class="panel" aria-labelledby="readiness"><h2 id="readiness">Readiness</h2>${readinessPanel(data.readiness)}<p><a href="${CONSOLE_BASE}/reconcile">Reconcile now</a></p></section>
</div>
<section aria-labelledby="runs"><h2 id="runs">Last reconciliation, emission and retention runs</h2>${runsPanel(data.runs)}</section>
<section aria-labelledby="recent"><h2 id="recent">Recent operations</h2>${table('Recent operations', ['Received', 'Action', 'Source', 'State', 'Microsoft', 'Subscription'], recentRows, 'No operation in the last 24 hours.')}</section>`;
}
