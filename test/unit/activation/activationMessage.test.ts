import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dequeueCountOf, MAX_DEQUEUE_COUNT, parseActivationMessage } from '../../../shared/activation';
import { ValidationError } from '../../../shared/errors';

const VALID = { subscriptionId: 's-1', planId: 'team', quantity: 5, requestId: 'r-1', requestedAt: '2026-03-01T10:00:00.000Z' };

describe('parseActivationMessage', () => {
  it('accepts what the landing page sends', () => {
    // Prepare, Act
    const message = parseActivationMessage(VALID);

    // Assess
    expect(message).toEqual(VALID);
  });

  it('accepts a flat-rate purchase without seats', () => {
    // Prepare
    const { quantity: _seats, ...flat } = VALID;

    // Act
    const message = parseActivationMessage(flat);

    // Assess
    expect(message.quantity).toBeUndefined();
  });

  it.each([
    ['a missing subscription id', { ...VALID, subscriptionId: undefined }, 'subscriptionId'],
    ['an empty plan', { ...VALID, planId: ' ' }, 'planId'],
    ['zero seats', { ...VALID, quantity: 0 }, 'quantity'],
    ['a time without a zone', { ...VALID, requestedAt: '2026-03-01T10:00:00' }, 'requestedAt'],
  ])('refuses %s with a ValidationError naming the field', (_case, value, field) => {
    // Prepare (the table row)

    // Act
    const parse = (): unknown => parseActivationMessage(value);

    // Assess
    expect(parse).toThrow(ValidationError);
    try {
      parse();
    } catch (error) {
      expect((error as ValidationError).issues.join(' ')).toContain(field);
    }
  });

  it.each([null, 'not json', 42, []])('refuses %p', (value) => {
    // Prepare, Act, Assess
    expect(() => parseActivationMessage(value)).toThrow(ValidationError);
  });
});

describe('delivery attempts', () => {
  it('knows the same maxDequeueCount as host.json, so the last attempt is recognised', () => {
    // Prepare
    const hostJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'host.json'), 'utf8')) as { extensions: { queues: { maxDequeueCount: number } } };

    // Act
    const configured = hostJson.extensions.queues.maxDequeueCount;

    // Assess
    expect(MAX_DEQUEUE_COUNT).toBe(configured);
  });

  it.each([
    [{ dequeueCount: 3 }, 3],
    [{ dequeueCount: '5' }, 5],
    [{}, 0],
    [undefined, 0],
    [{ dequeueCount: -1 }, 0],
  ])('reads the attempt number from trigger metadata %p as %p', (metadata, expected) => {
    // Prepare, Act
    const attempt = dequeueCountOf(metadata);

    // Assess
    expect(attempt).toBe(expected);
  });
});
