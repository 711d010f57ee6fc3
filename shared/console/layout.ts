import type { HttpResponseInit } from '@azure/functions';
import { markup, type Interpolation, type SafeHtml } from '../web/markup';
import { renderDocument } from '../web/page';
import { ADMIN_ROLE, CONSOLE_BASE, READER_ROLE, type Operator } from './access';

export type Section = 'overview' | 'subscriptions' | 'operations' | 'poison' | 'usage' | 'plans' | 'reconcile';

const SECTIONS: ReadonlyArray<[Section, string, string]> = [
  ['overview', 'Overview', CONSOLE_BASE],
  ['subscriptions', 'Subscriptions', `${CONSOLE_BASE}/subscriptions`],
  ['operations', 'Operations', `${CONSOLE_BASE}/operations`],
  ['poison', 'Poison queues', `${CONSOLE_BASE}/poison`],
  ['usage', 'Usage', `${CONSOLE_BASE}/usage`],
  ['plans', 'Plans', `${CONSOLE_BASE}/plans`],
  ['reconcile', 'Reconcile', `${CONSOLE_BASE}/reconcile`],
];

export const SITE_NAME = 'Operator console';

export interface ConsolePage {
  title: string;
  section?: Section;
  body: SafeHtml;
  status?: number;
  /** A confirmation of what the last POST did (signed notice), shown above the content. */
  notice?: string;
  refreshSeconds?: number;
  development: boolean;
}

const DEV_BANNER = markup`<p class="banner" role="note">Development sign-in: this console runs on this machine only (loopback). It refuses to run anywhere else.</p>`;

function header(operator: Operator | undefined, section: Section | undefined): SafeHtml {
  const nav =
    operator &&
    markup`<nav class="sections" aria-label="Console sections"><ul>${SECTIONS.map(
      ([id, label, href]) => markup`<li><a href="${href}"${id === section ? markup` aria-current="page"` : ''}>${label}</a></li>`,
    )}</ul></nav>`;
  const role = operator?.canAct ? ADMIN_ROLE : READER_ROLE;
  const signOut =
    operator?.via === 'development'
      ? markup`<form class="inline" method="post" action="${CONSOLE_BASE}/signout"><button class="secondary" type="submit">Sign out</button></form>`
      : markup`<a href="/.auth/logout">Sign out</a>`;
  const user = operator && markup`<p class="user">Signed in as <strong>${operator.name}</strong> (${role}) · ${signOut}</p>`;
  return markup`<header class="top"><p class="brand"><a href="${CONSOLE_BASE}">${SITE_NAME}</a></p>${user}${nav}</header>`;
}

const FOOTER = markup`<footer class="bottom"><p>saas-fulfillment · every change is sent to Microsoft and written to the subscription's history with who made it.</p></footer>`;

/** A console page: the shared document (shared/web) with the console's header, navigation and banner. */
export function renderConsolePage(operator: Operator | undefined, page: ConsolePage): HttpResponseInit {
  const notice = page.notice && markup`<p class="notice" role="status">${page.notice}</p>`;
  return renderDocument({
    status: page.status ?? 200,
    title: page.title,
    siteName: SITE_NAME,
    width: 'wide',
    banner: page.development ? DEV_BANNER : undefined,
    header: header(operator, page.section),
    footer: FOOTER,
    body: markup`${notice}${page.body}`,
    refreshSeconds: page.refreshSeconds,
  });
}

/** A table that scrolls sideways inside its own box on a narrow screen. */
export function table(caption: string, headings: readonly string[], rows: readonly SafeHtml[], empty = 'Nothing to show.'): SafeHtml {
  if (rows.length === 0) return markup`<p class="muted">${empty}</p>`;
  return markup`<div class="table" role="region" aria-label="${caption}" tabindex="0"><table><caption class="skip">${caption}</caption><thead><tr>${headings.map((h) => markup`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function cells(...values: Interpolation[]): SafeHtml {
  return markup`<tr>${values.map((value) => markup`<td>${value}</td>`)}</tr>`;
}

/** `2026-03-01 10:00:00 UTC`, or the text as received when it is not a date. */
export function when(value: string | undefined): string {
  if (value === undefined) return '';
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? value : `${parsed.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function subscriptionLink(id: string, text: Interpolation = id): SafeHtml {
  return markup`<a href="${CONSOLE_BASE}/subscriptions/${encodeURIComponent(id)}">${text}</a>`;
}

/** A hidden anti-forgery field. */
export function tokenField(token: string): SafeHtml {
  return markup`<input type="hidden" name="formToken" value="${token}">`;
}
