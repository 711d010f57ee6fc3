import { InvocationContext } from '@azure/functions';
import fc from 'fast-check';
import { createInMemoryTelemetry } from '../../dev/inMemoryTelemetry';
import { createLogger, loggerFromContext, type LogFields } from '../../shared/logging';

/** A marker no generated junk will contain by chance. */
const secret = fc.stringMatching(/^[A-Za-z0-9]{16,32}$/).map((random) => `Zq9x${random}`);
const base64url = fc.stringMatching(/^[A-Za-z0-9_-]{4,40}$/);
const text = fc.string({ maxLength: 12 });
const junk = fc.jsonValue({ maxDepth: 2 });

const sensitiveKey = fc.constantFrom(
  'token',
  'accessToken',
  'x-ms-marketplace-token',
  'clientSecret',
  'Authorization',
  'connectionString',
  'emailId',
  'password',
  'apiKey',
  'cookie',
);

/** Ways a secret can sit under a sensitive key: as is, nested, in an array, in an Error. */
const underSensitiveKey = fc
  .tuple(sensitiveKey, secret, fc.constantFrom('plain', 'nested', 'array', 'error'))
  .map(([key, value, shape]) => {
    const holders = { plain: value, nested: { value }, array: ['x', value], error: new Error(value) };
    return { leaf: { [key]: holders[shape] }, secret: value };
  });

/** A JWT or an e-mail address inside free text, used as a value, a key name or an Error message. */
const inText = fc
  .tuple(secret, base64url, base64url, fc.boolean(), text, text, fc.constantFrom('value', 'key', 'error'))
  .map(([value, header, signature, asJwt, before, after, place]) => {
    const token = asJwt ? `eyJ${header}.${value}.${signature}` : `${value}@contoso.example`;
    const sentence = `${before}${token}${after}`;
    const leaf = place === 'value' ? sentence : place === 'key' ? { [sentence]: 1 } : new Error(sentence);
    return { leaf, secret: value };
  });

type Wrap = (inner: unknown) => unknown;

/** One level of arbitrary surrounding structure: an object, an array or an Error's cause. */
const wrapper: fc.Arbitrary<Wrap> = fc.oneof(
  fc.tuple(fc.string(), fc.dictionary(fc.string(), junk, { maxKeys: 3 })).map(
    ([key, siblings]): Wrap =>
      (inner) => ({ ...siblings, [key]: inner }),
  ),
  fc.tuple(fc.array(junk, { maxLength: 3 }), fc.nat()).map(
    ([items, index]): Wrap =>
      (inner) => [...items.slice(0, index % (items.length + 1)), inner, ...items.slice(index % (items.length + 1))],
  ),
  text.map((message): Wrap => (inner) => new Error(message, { cause: inner })),
);

const payload = fc
  .tuple(fc.oneof(underSensitiveKey, inText), fc.array(wrapper, { maxLength: 4 }))
  .map(([{ leaf, secret: hidden }, wrappers]) => ({ value: wrappers.reduce<unknown>((inner, wrap) => wrap(inner), leaf), secret: hidden }));

function captureSink() {
  const written: Array<{ message: string; fields: LogFields }> = [];
  const logger = createLogger((_level, message, fields) => written.push({ message, fields }), { level: 'debug' });
  return { logger, written };
}

describe('log redaction properties', () => {
  it('never lets a secret under a sensitive key, a JWT or an e-mail address reach the sink', () => {
    fc.assert(
      fc.property(payload, ({ value, secret: hidden }) => {
        // Prepare
        const { logger, written } = captureSink();

        // Act
        logger.child({ context: value }).warn('webhook rejected', { payload: value });

        // Assess
        expect(written).toHaveLength(1);
        expect(JSON.stringify(written)).not.toContain(hidden);
      }),
      { numRuns: 500 },
    );
  });

  it('never lets a JWT or an e-mail address in the message text reach the sink', () => {
    fc.assert(
      fc.property(inText, ({ leaf, secret: hidden }) => {
        // Prepare
        fc.pre(typeof leaf === 'string');
        const { logger, written } = captureSink();

        // Act
        logger.error(leaf);

        // Assess
        expect(JSON.stringify(written)).not.toContain(hidden);
      }),
    );
  });
});

describe('log redaction properties on the telemetry path', () => {
  const memory = createInMemoryTelemetry();

  afterAll(async () => {
    await memory.telemetry.shutdown();
  });

  it('never lets a secret, a JWT or an e-mail address reach the invocation log text, an exported log record or a span', async () => {
    // Prepare
    const hidden: string[] = [];
    const written: string[] = [];
    const context = new InvocationContext({ invocationId: 'inv-1', functionName: 'webhook', logHandler: (_level, ...args) => written.push(String(args[0])) });

    // Act
    await fc.assert(
      fc.asyncProperty(payload, inText, async ({ value, secret: inPayload }, { leaf, secret: inError }) => {
        hidden.push(inPayload, inError);
        const logger = loggerFromContext(context, { level: 'debug', telemetry: memory.telemetry, fields: { context: value } });
        await memory.telemetry
          .inSpan('request', { attributes: { note: typeof leaf === 'string' ? leaf : 'n/a' } }, (span) => {
            logger.warn(typeof leaf === 'string' ? leaf : 'webhook rejected', { payload: value });
            span.fail(typeof leaf === 'string' ? leaf : 'failed');
            return Promise.reject(leaf instanceof Error ? leaf : new Error(String(typeof leaf === 'string' ? leaf : 'x')));
          })
          .catch(() => undefined);
      }),
      { numRuns: 300 },
    );

    // Assess
    const { logs, spans } = await memory.collect();
    expect(logs.length).toBeGreaterThanOrEqual(300);
    const exported = JSON.stringify({
      written,
      logs: logs.map((record) => ({ body: record.body, attributes: record.attributes })),
      spans: spans.map((span) => ({ attributes: span.attributes, status: span.status, events: span.events })),
    });
    for (const secret of hidden) expect(exported).not.toContain(secret);
  });
});
