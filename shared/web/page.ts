import type { HttpResponseInit } from '@azure/functions';
import { contentSecurityPolicy, html } from '../http/responses';
import { markup, SafeHtml } from './markup';

/**
 * The one stylesheet of every HTML page this app serves (landing page and operator console), allowed
 * by hash in the Content-Security-Policy (no `style` attributes, no external files). Colours meet
 * WCAG AA contrast on white; focus is always visible; long words and URLs wrap instead of
 * overflowing; wide tables scroll inside their own box.
 */
export const PAGE_CSS = [
  ':root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1f2328;background:#f6f8fa}',
  'body{margin:0;overflow-wrap:anywhere}',
  'a{color:#0a58ca}',
  ':focus-visible{outline:3px solid #0a58ca;outline-offset:2px}',
  '.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}',
  '.top,.bottom{max-width:48rem;margin:0 auto;padding:1rem 1.25rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;justify-content:space-between;align-items:baseline}',
  '.brand{font-weight:700;font-size:1.125rem;margin:0}.user{margin:0;color:#57606a}',
  'main{max-width:48rem;margin:0 auto;padding:1.5rem 1.25rem 2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px;box-sizing:border-box}',
  '.wide .top,.wide .bottom,.wide main{max-width:80rem}',
  'h1{font-size:1.75rem;line-height:1.25;margin:0 0 1rem}h2{font-size:1.25rem;margin:2rem 0 .75rem}',
  '.status{padding:.75rem 1rem;border-radius:6px;border:1px solid}',
  '.status-pending,.status-confirm{background:#fff8c5;border-color:#d4a72c;color:#3b2300}',
  '.status-active{background:#dafbe1;border-color:#4ac26b;color:#0f3d1e}',
  '.status-failed,.status-suspended,.status-error{background:#ffebe9;border-color:#ff8182;color:#6e0f0f}',
  '.status-unsubscribed{background:#eaeef2;border-color:#afb8c1;color:#24292f}',
  '.badge{font-weight:700;margin-right:.5rem}',
  '.notice{background:#ddf4ff;border:1px solid #54aeff;color:#0a3069;padding:.5rem 1rem;border-radius:6px}',
  'dl.details{display:grid;grid-template-columns:minmax(9rem,max-content) minmax(0,1fr);gap:.5rem 1.5rem;margin:0}',
  'dl.details dt{font-weight:600;color:#24292f}dl.details dd{margin:0;overflow-wrap:anywhere;min-width:0}',
  '@media (max-width:30rem){dl.details{grid-template-columns:minmax(0,1fr);gap:0}dl.details dd{margin-bottom:.5rem}}',
  '.muted{color:#57606a}',
  'form.activate{margin:1.5rem 0}',
  'button,.button{font:inherit;font-weight:600;color:#fff;background:#0a58ca;border:0;border-radius:6px;padding:.75rem 1.5rem;cursor:pointer;text-decoration:none;display:inline-block}',
  'button:hover,.button:hover{background:#084298}',
  'button.danger{background:#b42318}button.danger:hover{background:#8a1c12}',
  'button.secondary{background:#fff;color:#0a58ca;border:1px solid #0a58ca;padding:.5rem 1rem}',
  '.bottom{color:#57606a;font-size:.875rem}.bottom p{margin:0}',
  '.banner{background:#fff8c5;border-bottom:2px solid #d4a72c;color:#3b2300;padding:.5rem 1.25rem;text-align:center;font-weight:600;margin:0}',
  'nav.sections ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}',
  'nav.sections a[aria-current=page]{font-weight:700;color:#1f2328}',
  '.table{overflow-x:auto;max-width:100%}',
  'table{border-collapse:collapse;width:100%;font-size:.9375rem}',
  'th,td{text-align:left;padding:.375rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}',
  'th{background:#f6f8fa;font-weight:600}',
  'td.num,th.num{text-align:right}',
  'form.inline,form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:.75rem 0}',
  'form.filters label,form.inline label{display:flex;flex-direction:column;font-weight:600;font-size:.875rem;gap:.25rem}',
  'input,select{font:inherit;padding:.375rem .5rem;border:1px solid #6e7781;border-radius:6px;max-width:100%;box-sizing:border-box}',
  '.panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}',
  '.panel{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem}.panel h2{margin-top:0}',
  'ol.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #d0d7de}',
  'ol.timeline li{margin:0 0 .75rem;padding-left:1rem}',
  '.pager{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}',
  '.confirm{border:2px solid #d4a72c;border-radius:6px;padding:1rem;background:#fffdf0}',
].join('');

const POLICY = contentSecurityPolicy({ inlineStyles: [PAGE_CSS] });
/** A constant of this module, never input: emitted as is (escaping would break its quotes). */
const STYLESHEET = new SafeHtml(PAGE_CSS);

export interface DocumentContent {
  status: number;
  /** The page's h1, and the first part of its `<title>`. */
  title: string;
  /** After the title in `<title>`: the product or app name. */
  siteName: string;
  header: SafeHtml;
  footer: SafeHtml;
  body: SafeHtml;
  /** A line above the header on every page (e.g. the development sign-in warning). */
  banner?: SafeHtml;
  /** `wide`: tables of the console; default: the narrow column of the landing page. */
  width?: 'narrow' | 'wide';
  /** Seconds after which the browser reloads the page (`<meta http-equiv="refresh">`; no script). */
  refreshSeconds?: number;
  headers?: Record<string, string>;
}

/** A complete page: strict CSP, no script, no third-party asset, landmarks, a skip link and one h1. */
export function renderDocument(content: DocumentContent): HttpResponseInit {
  const refresh = content.refreshSeconds !== undefined && markup`<meta http-equiv="refresh" content="${content.refreshSeconds}">`;
  const page = markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
${refresh}<title>${content.title} · ${content.siteName}</title>
<style>${STYLESHEET}</style>
</head>
<body${content.width === 'wide' ? markup` class="wide"` : ''}>
<a class="skip" href="#main">Skip to main content</a>
${content.banner}${content.header}
<main id="main">
<h1>${content.title}</h1>
${content.body}
</main>
${content.footer}
</body>
</html>
`;
  return html(content.status, page.value, { 'Content-Security-Policy': POLICY, ...content.headers });
}

/** A redirect that is never cached and sends no Referer on. POST answers use 303 (post/redirect/get). */
export function redirect(status: 302 | 303, location: string): HttpResponseInit {
  return { status, headers: { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' } };
}
