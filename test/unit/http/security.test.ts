import { HttpResponse } from '@azure/functions';
import fc from 'fast-check';
import { contentSecurityPolicy, escapeHtml, html, json, styleHash } from '../../../shared/http/responses';

describe('json', () => {
  it('returns the body as JSON that is neither cached nor sniffed', async () => {
    // Prepare, Act
    const response = new HttpResponse(json(201, { id: 's-1' }));

    // Assess
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: 's-1' });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lets a header given in any letter case replace the default', () => {
    // Prepare, Act
    const response = json(200, {}, { 'cache-control': 'private, max-age=60', Location: '/api/x' });

    // Assess
    expect(response.headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'cache-control': 'private, max-age=60',
      Location: '/api/x',
    });
  });
});

describe('html', () => {
  it('sends the page with strict security headers', async () => {
    // Prepare, Act
    const response = new HttpResponse(html(200, '<p>Welcome</p>'));

    // Assess
    expect(await response.text()).toBe('<p>Welcome</p>');
    expect(Object.fromEntries(response.headers.entries())).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
    });
  });

  it('sends exactly one policy when the caller supplies its own', () => {
    // Prepare
    const css = 'body{font-family:sans-serif}';

    // Act
    const response = new HttpResponse(html(200, `<style>${css}</style>`, { 'content-security-policy': contentSecurityPolicy({ inlineStyles: [css] }) }));

    // Assess
    expect(response.headers.get('content-security-policy')).toBe(
      `default-src 'none'; style-src 'self' ${styleHash(css)}; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
  });
});

describe('styleHash', () => {
  it.each([
    ['', "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"],
    ['abc', "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"],
  ])('gives the CSP source for the SHA-256 of %j', (css, expected) => {
    // Prepare, Act
    const source = styleHash(css);

    // Assess
    expect(source).toBe(expected);
  });
});

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`" onmouseover='x'`, '&quot; onmouseover=&#39;x&#39;'],
    ['Fish & Chips', 'Fish &amp; Chips'],
    ['&amp;', '&amp;amp;'],
    ['Contoso plan – 10 seats', 'Contoso plan – 10 seats'],
  ])('escapes %j', (text, expected) => {
    // Prepare, Act
    const escaped = escapeHtml(text);

    // Assess
    expect(escaped).toBe(expected);
  });

  it('leaves no markup characters and can be reversed for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        // Prepare, Act
        const escaped = escapeHtml(text);

        // Assess
        expect(escaped).not.toMatch(/[<>"']/);
        const restored = escaped.replace(/&(lt|gt|quot|#39|amp);/g, (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name] ?? '');
        expect(restored).toBe(text);
      }),
    );
  });
});
