import type { HttpResponseInit } from '@azure/functions';
import { contentSecurityPolicy, html } from '../http/responses';
import { markup, SafeHtml } from './markup';
import type { SignedInUser } from './signedInUser';

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

/**
 * The page's only styles, allowed by hash in the Content-Security-Policy (no `style` attributes,
 * no external files). Colours meet WCAG AA contrast on white; focus is always visible.
 */
export const PAGE_CSS = [
  ':root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1f2328;background:#f6f8fa}',
  'body{margin:0}',
  'a{color:#0a58ca}',
  ':focus-visible{outline:3px solid #0a58ca;outline-offset:2px}',
  '.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}',
  '.top,.bottom{max-width:48rem;margin:0 auto;padding:1rem 1.25rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;justify-content:space-between;align-items:baseline}',
  '.brand{font-weight:700;font-size:1.125rem;margin:0}.user{margin:0;color:#57606a}',
  'main{max-width:48rem;margin:0 auto;padding:1.5rem 1.25rem 2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}',
  'h1{font-size:1.75rem;line-height:1.25;margin:0 0 1rem}h2{font-size:1.25rem;margin:2rem 0 .75rem}',
  '.status{padding:.75rem 1rem;border-radius:6px;border:1px solid}',
  '.status-pending,.status-confirm{background:#fff8c5;border-color:#d4a72c;color:#3b2300}',
  '.status-active{background:#dafbe1;border-color:#4ac26b;color:#0f3d1e}',
  '.status-failed,.status-suspended,.status-error{background:#ffebe9;border-color:#ff8182;color:#6e0f0f}',
  '.status-unsubscribed{background:#eaeef2;border-color:#afb8c1;color:#24292f}',
  '.badge{font-weight:700;margin-right:.5rem}',
  '.notice{background:#ddf4ff;border:1px solid #54aeff;color:#0a3069;padding:.5rem 1rem;border-radius:6px}',
  'dl.details{display:grid;grid-template-columns:minmax(9rem,max-content) 1fr;gap:.5rem 1.5rem;margin:0}',
  'dl.details dt{font-weight:600;color:#24292f}dl.details dd{margin:0;overflow-wrap:anywhere}',
  '.muted{color:#57606a}',
  'form.activate{margin:1.5rem 0}',
  'button{font:inherit;font-weight:600;color:#fff;background:#0a58ca;border:0;border-radius:6px;padding:.75rem 1.5rem;cursor:pointer}',
  'button:hover{background:#084298}',
  '.bottom{color:#57606a;font-size:.875rem}.bottom p{margin:0}',
].join('');

const POLICY = contentSecurityPolicy({ inlineStyles: [PAGE_CSS] });
/** A constant of this module, never input: emitted as is (escaping would break its quotes). */
const STYLESHEET = new SafeHtml(PAGE_CSS);

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

/** A complete page: strict CSP, no script, no third-party asset, landmarks and one h1. */
export function renderPage(chrome: PageChrome, content: PageContent): HttpResponseInit {
  const refresh = content.refreshSeconds !== undefined && markup`<meta http-equiv="refresh" content="${content.refreshSeconds}">`;
  const page = markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
${refresh}<title>${content.title} · ${chrome.productName}</title>
<style>${STYLESHEET}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
${header(chrome)}
<main id="main">
<h1>${content.title}</h1>
${content.body}
</main>
${footer(chrome)}
</body>
</html>
`;
  return html(content.status, page.value, { 'Content-Security-Policy': POLICY, ...content.headers });
}
