import type { HttpResponseInit } from '@azure/functions';
import { markup, type SafeHtml } from '../web/markup';
import { renderPage, type PageChrome } from './pageLayout';

/** The pages that are not about one subscription: bad links, outages, refused forms. */
export type MessageView =
  | { kind: 'missingToken' }
  | { kind: 'invalidToken' }
  | { kind: 'unavailable'; retryUrl: string }
  | { kind: 'error'; invocationId: string }
  | { kind: 'formExpired'; pageUrl?: string }
  | { kind: 'formRejected'; pageUrl?: string }
  | { kind: 'notFound' };

/** Seconds a buyer is asked to wait after a 503. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 30;

const REOPEN = markup`Open your subscription in the <strong>Azure portal</strong> or the <strong>Microsoft 365 admin center</strong> and select <strong>Configure account</strong> (or <strong>Manage account</strong>).`;

function message(status: string, text: SafeHtml): SafeHtml {
  return markup`<p class="status status-${status}" role="status">${text}</p>`;
}

function backLink(pageUrl: string | undefined): SafeHtml | undefined {
  return pageUrl === undefined ? undefined : markup`<p><a href="${pageUrl}">Back to your subscription</a></p>`;
}

export function renderMessagePage(chrome: PageChrome, view: MessageView): HttpResponseInit {
  switch (view.kind) {
    case 'missingToken':
      return renderPage(chrome, {
        status: 400,
        title: 'This page needs a link from Azure Marketplace',
        body: markup`${message('error', markup`The link you followed has no purchase token.`)}<p>${REOPEN}</p>`,
      });
    case 'invalidToken':
      return renderPage(chrome, {
        status: 400,
        title: 'This link is invalid or has expired',
        body: markup`${message('error', markup`For your security, links to this page work for a limited time only.`)}<p>${REOPEN} A new link is created each time.</p>`,
      });
    case 'unavailable':
      return renderPage(chrome, {
        status: 503,
        title: 'Temporarily unavailable',
        body: markup`${message('error', markup`We could not reach Azure Marketplace to look up your subscription. Nothing is lost: please try again in a minute.`)}<p><a href="${view.retryUrl}">Try again</a></p>`,
        headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      });
    case 'error':
      return renderPage(chrome, {
        status: 500,
        title: 'Something went wrong',
        body: markup`${message('error', markup`We could not show your subscription. Please try again in a minute.`)}<p>If it keeps happening, contact support and quote reference <code>${view.invocationId}</code>.</p>`,
      });
    case 'formExpired':
      return renderPage(chrome, {
        status: 403,
        title: 'This form has expired',
        body: markup`${message('error', markup`Nothing was changed. Reload the page and select Activate again.`)}${backLink(view.pageUrl)}`,
      });
    case 'formRejected':
      return renderPage(chrome, {
        status: 403,
        title: 'This request could not be verified',
        body: markup`${message('error', markup`Nothing was changed. Reload the page and select Activate again.`)}${backLink(view.pageUrl)}`,
      });
    case 'notFound':
      return renderPage(chrome, { status: 404, title: 'Page not found', body: markup`<p>${REOPEN}</p>` });
  }
}
