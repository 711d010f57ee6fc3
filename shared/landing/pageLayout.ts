import type { HttpResponseInit } from '@azure/functions';
import { markup, type SafeHtml } from '../web/markup';
import { renderDocument } from '../web/page';
import type { SignedInUser } from './signedInUser';

export { PAGE_CSS } from '../web/page';

/** Settings and facts every page shows around its content. */
export interface PageChrome {
  productName: string;
  supportUrl?: string;
  /** The buyer Easy Auth signed in, when it is trusted. */
  user?: SignedInUser;
}

export interface PageContent {
  status: number;
  title: string;
  body: SafeHtml;
  /** Seconds after which the browser reloads the page (`<meta http-equiv="refresh">`; no script). */
  refreshSeconds?: number;
  headers?: Record<string, string>;
}

function header(chrome: PageChrome): SafeHtml {
  const { user } = chrome;
  const signedIn =
    user &&
    markup`<p class="user">Signed in as <strong>${user.name}</strong>${user.username && markup` (${user.username})`} · <a href="/.auth/logout">Sign out</a></p>`;
  return markup`<header class="top"><p class="brand">${chrome.productName}</p>${signedIn}</header>`;
}

function footer(chrome: PageChrome): SafeHtml {
  const support = chrome.supportUrl && markup`<p><a href="${chrome.supportUrl}">Contact support</a></p>`;
  return markup`<footer class="bottom"><p>Billing is handled by Microsoft through Azure Marketplace.</p>${support}</footer>`;
}

/** A landing page: the shared document (shared/web) with the product's header and footer. */
export function renderPage(chrome: PageChrome, content: PageContent): HttpResponseInit {
  return renderDocument({ ...content, siteName: chrome.productName, header: header(chrome), footer: footer(chrome) });
}
