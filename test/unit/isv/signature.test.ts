import { createHmac } from 'node:crypto';
import {
  buildSignatureHeader,
  generateTestSignatureHeader,
  SignatureVerificationError,
  verifySignature,
  type VerifySignatureOptions,
} from '../../../shared/isv/signature';

const SECRET = 'whsec-current-0123456789abcdef0123456789';
const OLD_SECRET = 'whsec-previous-0123456789abcdef012345678';
const T = 1_740_830_400; // 2025-03-01T12:00:00Z
const NOW = new Date(T * 1000);
const BODY = '{"specversion":"1.0","id":"evt-1","data":{"planId":"gold","note":"café"}}';

function failureOf(options: VerifySignatureOptions): string | undefined {
  try {
    verifySignature(options);
    return undefined;
  } catch (error) {
    if (error instanceof SignatureVerificationError) return error.reason;
    throw error;
  }
}

describe('signature scheme', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>, as documented', () => {
    // Prepare
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');

    // Act
    const header = buildSignatureHeader({ payload: BODY, secrets: [SECRET], timestamp: T });

    // Assess
    expect(header).toBe(`t=${T},v1=${expected}`);
    expect(verifySignature({ payload: BODY, header, secrets: [SECRET], now: NOW })).toEqual({ timestamp: T });
  });

  it('verifies the same bytes given as a Buffer, and a repeated header given as an array', () => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: SECRET, timestamp: NOW });

    // Act
    const result = verifySignature({ payload: Buffer.from(BODY, 'utf8'), header: [header], secrets: [SECRET], now: NOW.getTime() });

    // Assess
    expect(result.timestamp).toBe(T);
  });

  it('fails when one byte of the body is altered', () => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: SECRET, timestamp: T });
    const altered = Buffer.from(BODY, 'utf8');
    altered[altered.length - 3] = altered[altered.length - 3]! ^ 0x01;

    // Act
    const reason = failureOf({ payload: altered, header, secrets: [SECRET], now: NOW });

    // Assess
    expect(reason).toBe('no_matching_signature');
  });

  it('fails with a wrong secret', () => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: 'someone-else-0123456789abcdef0123456789', timestamp: T });

    // Act
    const reason = failureOf({ payload: BODY, header, secrets: [SECRET], now: NOW });

    // Assess
    expect(reason).toBe('no_matching_signature');
  });

  it.each([
    ['301 s old', T - 301],
    ['301 s in the future', T + 301],
  ])('fails when the timestamp is outside the tolerance (%s)', (_label, timestamp) => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: SECRET, timestamp });

    // Act
    const reason = failureOf({ payload: BODY, header, secrets: [SECRET], now: NOW });

    // Assess
    expect(reason).toBe('timestamp_outside_tolerance');
  });

  it('accepts a timestamp exactly at the tolerance and honours a custom tolerance', () => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: SECRET, timestamp: T - 300 });

    // Act
    const atDefault = failureOf({ payload: BODY, header, secrets: [SECRET], now: NOW });
    const tighter = failureOf({ payload: BODY, header, secrets: [SECRET], now: NOW, toleranceSeconds: 60 });

    // Assess
    expect(atDefault).toBeUndefined();
    expect(tighter).toBe('timestamp_outside_tolerance');
  });

  it.each([
    ['no t', `v1=${'a'.repeat(64)}`],
    ['no v1', `t=${T}`],
    ['only an unknown scheme', `t=${T},v0=${'a'.repeat(64)}`],
    ['a non-numeric t', `t=yesterday,v1=${'a'.repeat(64)}`],
    ['two t values', `t=${T},t=${T},v1=${'a'.repeat(64)}`],
    ['a part without =', `t=${T},garbage`],
  ])('fails with a malformed header (%s)', (_label, header) => {
    // Act
    const reason = failureOf({ payload: BODY, header, secrets: [SECRET], now: NOW });

    // Assess
    expect(reason).toBe('malformed_header');
  });

  it.each([undefined, null, '', '   ', []])('fails with missing_header when the header is %p', (header) => {
    // Act
    const reason = failureOf({ payload: BODY, header, secrets: [SECRET], now: NOW });

    // Assess
    expect(reason).toBe('missing_header');
  });

  it('fails (without throwing anything else) when a v1 value is not 64 hex characters', () => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: SECRET, timestamp: T, signatures: ['abcd', 'zz'.repeat(32)] });

    // Act
    const reason = failureOf({ payload: BODY, header, secrets: [SECRET], now: NOW });

    // Assess
    expect(reason).toBe('no_matching_signature');
  });

  it('passes when any of several v1 signatures matches (sender signing with old and new secrets)', () => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: [OLD_SECRET, SECRET], timestamp: T });

    // Act
    const withNewOnly = failureOf({ payload: BODY, header, secrets: [SECRET], now: NOW });
    const withOldOnly = failureOf({ payload: BODY, header, secrets: [OLD_SECRET], now: NOW });

    // Assess
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(withNewOnly).toBeUndefined();
    expect(withOldOnly).toBeUndefined();
  });

  it('passes when any of several accepted secrets matches (receiver mid-rotation), ignoring unknown schemes', () => {
    // Prepare
    const signed = generateTestSignatureHeader({ payload: BODY, secret: OLD_SECRET, timestamp: T });
    const header = `${signed},v0=${'0'.repeat(64)}`;

    // Act
    const reason = failureOf({ payload: BODY, header, secrets: [SECRET, OLD_SECRET], now: NOW });

    // Assess
    expect(reason).toBeUndefined();
  });

  it('refuses a parsed object instead of the raw body, and an empty secret list, as programmer errors', () => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: SECRET, timestamp: T });
    const parsed = JSON.parse(BODY) as unknown as string;

    // Act
    const withObject = () => verifySignature({ payload: parsed, header, secrets: [SECRET], now: NOW });
    const withoutSecrets = () => verifySignature({ payload: BODY, header, secrets: [], now: NOW });

    // Assess
    expect(withObject).toThrow(TypeError);
    expect(withObject).toThrow(/raw body/);
    expect(withoutSecrets).toThrow(TypeError);
  });

  it('gives an error message that says what to check', () => {
    // Prepare
    const header = generateTestSignatureHeader({ payload: BODY, secret: 'other-0123456789abcdef0123456789abcdef', timestamp: T });

    // Act
    let error: unknown;
    try {
      verifySignature({ payload: BODY, header, secrets: [SECRET], now: NOW });
    } catch (thrown) {
      error = thrown;
    }

    // Assess
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect(error).toMatchObject({ name: 'SignatureVerificationError', reason: 'no_matching_signature' });
    expect((error as Error).message).toMatch(/secret.*raw body/);
  });
});
