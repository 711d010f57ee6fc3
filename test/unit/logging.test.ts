import { InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { createLogger, loggerFromContext, redact, redactText, type LogFields, type LogLevel } from '../../shared/logging';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJl';

function recordingLogger(level?: LogLevel, fields?: LogFields) {
  const entries: Array<{ level: LogLevel; message: string; fields: LogFields }> = [];
  const logger = createLogger((entryLevel, message, entryFields) => entries.push({ level: entryLevel, message, fields: entryFields }), { level, fields });
  return { logger, entries };
}

describe('redactText', () => {
  it.each([
    ['a bearer token', 'Authorization: Bearer abc.DEF-123_~+/==', 'Authorization: Bearer [REDACTED]', 'abc.DEF'],
    ['a JWT on its own', `token was ${JWT} here`, 'token was [REDACTED] here', JWT],
    ['a JWT after a URL-encoded equals sign', `redirect?id_token%3D${JWT}`, 'redirect?id_token%3D[REDACTED]', JWT],
    ['an e-mail address', 'sent to jane.doe+saas@contoso.example today', 'sent to [email] today', 'jane.doe'],
    [
      'a storage account key',
      'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=abc+/12==;EndpointSuffix=core.windows.net',
      'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=[REDACTED];EndpointSuffix=core.windows.net',
      'abc+/12',
    ],
    [
      'a Service Bus shared access key',
      'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=k3y+/==',
      'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=[REDACTED]',
      'k3y',
    ],
    ['a SQL password', 'Server=tcp:db;User ID=app;Password=hunter2;', 'Server=tcp:db;User ID=app;Password=[REDACTED];', 'hunter2'],
    ['a SAS signature', 'https://acme.queue.core.windows.net/q?sv=2024&sig=AbC%2Fd&se=1', 'https://acme.queue.core.windows.net/q?sv=2024&sig=[REDACTED]&se=1', 'AbC'],
    ['a function key', 'https://app.example/api/x?code=s3cr3t', 'https://app.example/api/x?code=[REDACTED]', 's3cr3t'],
  ])('removes %s', (_name, text, expected, secret) => {
    // Prepare, Act
    const result = redactText(text);

    // Assess
    expect(result).toBe(expected);
    expect(result).not.toContain(secret);
  });
});

describe('redactText without a marker', () => {
  it.each([
    ['an id', '0f9e8d7c-6b5a-4a3b-8c2d-1e0f9a8b7c6d'],
    ['a message', 'webhook received'],
    ['JSON without secrets', '{"message":"function executed","outcome":"Succeeded","durationMs":12}'],
  ])('returns %s unchanged', (_name, text) => {
    // Prepare, Act
    const result = redactText(text);

    // Assess
    expect(result).toBe(text);
  });

  it.each([
    ['Bearer in upper case', 'BEARER abc.def', 'Bearer [REDACTED]'],
    ['a JWT right after a colon', `id:${JWT}`, 'id:[REDACTED]'],
    ['an e-mail address among ids', 'a1 buyer@x.example b2', 'a1 [email] b2'],
    ['a key after an equals sign', 'x;AccountKey=abc', 'x;AccountKey=[REDACTED]'],
  ])('still redacts %s (each pattern has its marker)', (_name, text, expected) => {
    // Prepare, Act
    const result = redactText(text);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('redact', () => {
  it.each(['token', 'accessToken', 'clientSecret', 'Authorization', 'connectionString', 'emailId', 'password', 'api_key', 'privateKey', 'code'])(
    'hides the value of a key named %s, whatever it holds',
    (key) => {
      // Prepare
      const value = { [key]: { nested: 'plain words' }, kept: 'visible' };

      // Act
      const result = redact(value);

      // Assess
      expect(result).toEqual({ [key]: '[REDACTED]', kept: 'visible' });
    },
  );

  it('hides sensitive keys at any depth and inside arrays', () => {
    // Prepare
    const value = { webhook: { headers: [{ authorization: 'x' }], purchaser: { emailId: 'a@b.example', tenantId: 't-1' } } };

    // Act
    const result = redact(value);

    // Assess
    expect(result).toEqual({ webhook: { headers: [{ authorization: '[REDACTED]' }], purchaser: { emailId: '[REDACTED]', tenantId: 't-1' } } });
  });

  it('redacts e-mail addresses and JWTs used as key names', () => {
    // Prepare
    const value = { seatsByUser: { 'jane@contoso.example': 2 }, [JWT]: true };

    // Act
    const result = redact(value);

    // Assess
    expect(result).toEqual({ seatsByUser: { '[email]': 2 }, '[REDACTED]': true });
  });

  it('keeps partition and row keys, which identify rows and are not secrets', () => {
    // Prepare, Act
    const result = redact({ partitionKey: 'sub', rowKey: 's-1' });

    // Assess
    expect(result).toEqual({ partitionKey: 'sub', rowKey: 's-1' });
  });

  it('redacts an Error, its own properties and its cause chain, and keeps its error code', () => {
    // Prepare
    const cause = Object.assign(new Error(`401 for ${JWT}`), { token: 'raw-token', status: 401 });
    const error = new NotFoundError('Subscription', 'owner@contoso.example', { cause });

    // Act
    const result = redact(error) as Record<string, unknown>;

    // Assess
    const text = JSON.stringify(result);
    expect(text).not.toContain(JWT);
    expect(text).not.toContain('raw-token');
    expect(text).not.toContain('owner@contoso.example');
    expect(result).toMatchObject({ name: 'NotFoundError', code: 'NotFound', cause: { message: '401 for [REDACTED]', token: '[REDACTED]', status: 401 } });
    expect(result.stack).toEqual(expect.stringContaining('NotFoundError'));
  });

  it('cuts cycles but shows a value referenced twice in full', () => {
    // Prepare
    const shared = { planId: 'pro' };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;

    // Act
    const result = redact(cyclic);

    // Assess
    expect(result).toEqual({ shared: { planId: 'pro' }, again: { planId: 'pro' }, self: '[Circular]' });
  });

  it.each([
    ['a date', new Date('2025-01-02T03:04:05Z'), '2025-01-02T03:04:05.000Z'],
    ['an invalid date', new Date('nope'), 'Invalid Date'],
    ['a BigInt', 12n, '12'],
    ['a null sensitive key', { token: null }, { token: null }],
  ])('turns %s into something loggable without throwing', (_name, value, expected) => {
    // Prepare, Act
    const result = redact(value);

    // Assess
    expect(result).toEqual(expected);
  });
});

describe('createLogger', () => {
  it.each<[LogLevel, LogLevel[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ])('at level %s writes only %j', (level, written) => {
    // Prepare
    const { logger, entries } = recordingLogger(level);

    // Act
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');

    // Assess
    expect(entries.map((entry) => entry.level)).toEqual(written);
  });

  it('redacts the message text and the fields before they reach the sink', () => {
    // Prepare
    const { logger, entries } = recordingLogger();

    // Act
    logger.info('resolved for jane@contoso.example', { header: `Bearer ${JWT}`, secret: 'hunter2' });

    // Assess
    expect(entries).toEqual([{ level: 'info', message: 'resolved for [email]', fields: { header: 'Bearer [REDACTED]', secret: '[REDACTED]' } }]);
  });

  it('merges child fields over the parent fields, and entry fields over both', () => {
    // Prepare
    const { logger, entries } = recordingLogger('debug', { app: 'saas', step: 'root' });
    const child = logger.child({ subscriptionId: 's-1', step: 'child' });

    // Act
    child.child({ operationId: 'op-1' }).debug('applied', { step: 'entry' });

    // Assess
    expect(entries).toEqual([{ level: 'debug', message: 'applied', fields: { app: 'saas', subscriptionId: 's-1', operationId: 'op-1', step: 'entry' } }]);
  });

  it('gives children the parent level', () => {
    // Prepare
    const { logger, entries } = recordingLogger('warn');

    // Act
    logger.child({ a: 1 }).info('dropped');

    // Assess
    expect(entries).toEqual([]);
  });
});

describe('loggerFromContext', () => {
  it('writes redacted entries through the invocation context with its invocation id', () => {
    // Prepare
    const captured: unknown[][] = [];
    const context = new InvocationContext({ invocationId: 'inv-1', functionName: 'marketplaceWebhook', logHandler: (level, ...args) => captured.push([level, ...args]) });
    const logger = loggerFromContext(context, { level: 'debug', fields: { operationId: 'op-1' } });

    // Act
    logger.debug('checking', { token: 'abc' });
    logger.info('received');
    logger.warn('slow');
    logger.error('failed for x@y.example');

    // Assess
    const fields = { invocationId: 'inv-1', functionName: 'marketplaceWebhook', operationId: 'op-1' };
    expect(captured.map(([level, text]): unknown[] => [level, JSON.parse(text as string) as unknown])).toEqual([
      ['debug', { message: 'checking', ...fields, token: '[REDACTED]' }],
      ['information', { message: 'received', ...fields }],
      ['warning', { message: 'slow', ...fields }],
      ['error', { message: 'failed for [email]', ...fields }],
    ]);
    expect(captured.every((entry) => entry.length === 2)).toBe(true);
  });

  it('writes at info and above by default', () => {
    // Prepare
    const captured: unknown[][] = [];
    const context = new InvocationContext({ invocationId: 'inv-2', logHandler: (level, ...args) => captured.push([level, ...args]) });
    const logger = loggerFromContext(context);

    // Act
    logger.debug('dropped');
    logger.info('kept');

    // Assess
    expect(captured).toEqual([['information', JSON.stringify({ message: 'kept', invocationId: 'inv-2', functionName: 'unknown' })]]);
  });
});
