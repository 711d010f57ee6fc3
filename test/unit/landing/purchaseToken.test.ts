import fc from 'fast-check';
import { readPurchaseToken } from '../../../shared/landing';

const PAGE = 'https://saas.contoso.example/api/landing';

describe('readPurchaseToken', () => {
  it.each([
    ['percent-encoded +, / and = (the documented example)', '?token=ab%2Bcd%2Fef%3D', 'ab+cd/ef='],
    ['a literal + (never turned into a space)', '?token=ab+cd', 'ab+cd'],
    ['a literal / and =', '?token=ab/cd==', 'ab/cd=='],
    ['percent-encoding decoded exactly once', '?token=ab%252Bcd', 'ab%2Bcd'],
    ['lower-case percent-encoding', '?token=ab%2bcd%2f', 'ab+cd/'],
    ['a token after other parameters', '?lang=en&token=abc', 'abc'],
    ['the first of two token parameters', '?token=first&token=second', 'first'],
    ['a parameter name in another letter case', '?Token=abc', 'abc'],
    ['a fragment after the token', '?token=abc#section', 'abc'],
    ['percent-encoded UTF-8', '?token=caf%C3%A9', 'café'],
  ])('returns the token for %s', (_case, query, expected) => {
    // Prepare
    const url = `${PAGE}${query}`;

    // Act
    const result = readPurchaseToken(url);

    // Assess
    expect(result).toEqual({ kind: 'present', token: expected });
  });

  it.each([
    ['no query string', ''],
    ['no token parameter', '?lang=en'],
    ['an empty token', '?token='],
    ['a token parameter without a value', '?token'],
    ['a blank token', '?token=%20%20'],
    ['a token only in the fragment', '#token=abc'],
  ])('reports the token as missing for %s', (_case, query) => {
    // Prepare
    const url = `${PAGE}${query}`;

    // Act
    const result = readPurchaseToken(url);

    // Assess
    expect(result).toEqual({ kind: 'missing' });
  });

  it.each(['?token=%zz', '?token=abc%', '?token=%E2%28'])('reports %s as malformed percent-encoding', (query) => {
    // Prepare
    const url = `${PAGE}${query}`;

    // Act
    const result = readPurchaseToken(url);

    // Assess
    expect(result).toEqual({ kind: 'malformed' });
  });

  it('gives back any printable token exactly as Microsoft issued it once encodeURIComponent put it in the URL', () => {
    // Prepare
    const printable = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,200}[\x21-\x7e]$/);

    // Act, Assess
    fc.assert(
      fc.property(printable, (token) => {
        expect(readPurchaseToken(`${PAGE}?token=${encodeURIComponent(token)}`)).toEqual({ kind: 'present', token });
      }),
    );
  });

  it('keeps the token intact through the URL the Functions runtime hands over', () => {
    // Prepare: WHATWG URL serialisation (what request.url is built with) must not re-encode the query.
    const url = new URL(`${PAGE}?token=ab%2Bcd+ef%2F%3D`).href;

    // Act
    const result = readPurchaseToken(url);

    // Assess
    expect(result).toEqual({ kind: 'present', token: 'ab+cd+ef/=' });
  });
});
