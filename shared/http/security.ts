import { createHash } from 'node:crypto';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** The CSP source expression (`'sha256-…'`) that allows exactly this `<style>` element content. */
export function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}

export interface ContentSecurityPolicyOptions {
  /** Exact contents of the page's `<style>` elements, allowed by hash. */
  inlineStyles?: readonly string[];
}

/**
 * A strict policy: nothing loads unless listed; no scripts at all; styles and images from this origin
 * only; forms post to this origin; no framing; no `<base>`. Inline `<style>` blocks are allowed by
 * their SHA-256 hash (deterministic, so no nonce or randomness is needed); `style="…"` attributes stay
 * blocked, so use classes. Pass the result as the `Content-Security-Policy` header of `html()`.
 */
export function contentSecurityPolicy(options: ContentSecurityPolicyOptions = {}): string {
  const styleSources = ["'self'", ...(options.inlineStyles ?? []).map(styleHash)];
  return [
    "default-src 'none'",
    `style-src ${styleSources.join(' ')}`,
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': contentSecurityPolicy(),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
};

/** `defaults` with `overrides` applied; a header given in any letter case replaces the default. */
export function withHeaders(defaults: Readonly<Record<string, string>>, overrides: Readonly<Record<string, string>>): Record<string, string> {
  const replaced = new Set(Object.keys(overrides).map((name) => name.toLowerCase()));
  const kept = Object.entries(defaults).filter(([name]) => !replaced.has(name.toLowerCase()));
  return { ...Object.fromEntries(kept), ...overrides };
}
