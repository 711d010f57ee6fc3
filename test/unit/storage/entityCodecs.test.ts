import fc from 'fast-check';
import { finishEntity } from '../../../shared/storage/entityCodec';
import { ServiceError } from '../../../shared/errors';
import { historyMarkerRowKey, historyRowKey } from '../../../shared/storage/historyEntity';
import { decodeQueueMessage, encodeQueueMessage } from '../../../shared/storage/messageQueue';
import { operationCodec } from '../../../shared/storage/operationEntity';
import { subscriptionCodec } from '../../../shared/storage/subscriptionEntity';
import { assertValidKey } from '../../../shared/storage/tableKeys';
import { buildOperation, buildSubscription } from './support/storageBuilders';

/** A row as `getEntity` returns it: SDK metadata alongside the properties. */
function asReturnedBySdk(row: Record<string, unknown>): Record<string, unknown> {
  return { 'odata.metadata': 'http://127.0.0.1/$metadata#t/@Element', etag: 'W/"x"', timestamp: new Date(), ...row };
}

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('subscriptionCodec', () => {
  it('reads back what it wrote, ignoring the SDK metadata and accepting Int64 and DateTime columns', () => {
    // Prepare
    const record = buildSubscription({ quantity: 9 });
    const row = { ...subscriptionCodec.toEntity(record), quantity: 9n, updatedAt: new Date(record.updatedAt) };

    // Act
    const read = subscriptionCodec.fromEntity(asReturnedBySdk(row));

    // Assess
    expect(read).toStrictEqual(record);
  });

  it.each([
    ['a nested column that is not JSON', { termJson: '{not json' }],
    ['a nested column of the wrong shape', { allowedCustomerOperationsJson: '"Read"' }],
    ['an unknown status', { status: 'Paused' }],
    ['a missing required column', { offerId: undefined }],
  ])('reports %s as StoredEntityInvalid with the row keys', (_case, change) => {
    // Prepare
    const record = buildSubscription();
    const row = { ...subscriptionCodec.toEntity(record), ...change };

    // Act
    const read = (): unknown => subscriptionCodec.fromEntity(row);

    // Assess
    expect(read).toThrow(ServiceError);
    const error = captureError(read);
    expect(error).toMatchObject({ code: 'StoredEntityInvalid', details: { partitionKey: record.id } });
  });
});

describe('operationCodec', () => {
  it('keys an operation by its id alone and reads it back unchanged', () => {
    // Prepare
    const operation = buildOperation({ quantity: 3, lastError: { code: 'E', message: 'm', at: '2026-01-01T00:00:00Z' } });

    // Act
    const row = operationCodec.toEntity(operation);

    // Assess
    expect(operationCodec.keyOf(operation.id)).toEqual({ partitionKey: row.partitionKey, rowKey: row.rowKey });
    expect(row.partitionKey).toBe(operation.id);
    expect(operationCodec.fromEntity(asReturnedBySdk(row))).toStrictEqual(operation);
  });
});

describe('history row keys', () => {
  const instant = fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true });

  it('sort a later instant before an earlier one', () => {
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 0, max: 9_999 }), fc.integer({ min: 0, max: 9_999 }), (a, b, sa, sb) => {
        // Prepare
        fc.pre(a.getTime() !== b.getTime());
        const [earlier, later] = a < b ? [a, b] : [b, a];

        // Act
        const earlierKey = historyRowKey(earlier.toISOString(), sa, 'x');
        const laterKey = historyRowKey(later.toISOString(), sb, 'x');

        // Assess
        expect(laterKey < earlierKey).toBe(true);
      }),
    );
  });

  it('sort a higher sequence first within one millisecond', () => {
    // Prepare
    const at = '2026-06-01T12:00:00.123Z';

    // Act
    const keys = [1, 2, 3].map((sequence) => historyRowKey(at, sequence, 'x'));

    // Assess
    expect([...keys].sort()).toEqual([...keys].reverse());
  });

  it('turn any idempotency key into a valid, stable marker row key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (key) => {
        // Act
        const marker = historyMarkerRowKey(key);

        // Assess
        expect(assertValidKey(marker, 'marker')).toBe(marker);
        expect(historyMarkerRowKey(key)).toBe(marker);
      }),
    );
  });
});

describe('queue message encoding', () => {
  it('is base64 of the JSON, and decodes to the JSON form of any value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        // Act
        const text = encodeQueueMessage(value);

        // Assess
        expect(Buffer.from(text, 'base64').toString('utf8')).toBe(JSON.stringify(value));
        expect(decodeQueueMessage(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('finishEntity', () => {
  it.each(['timestamp', 'etag', 'odata.metadata'])('refuses the reserved column %s, which would be dropped on read', (column) => {
    // Act / Assess
    expect(() => finishEntity({ partitionKey: 'p', rowKey: 'r', [column]: 'x' }, 'Test row')).toThrow(/reserved by Table Storage/);
  });
});
