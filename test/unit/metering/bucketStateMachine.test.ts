import { InvalidTransitionError } from '../../../shared/errors';
import { claimBucket, completeBucket, isClaimLive, releaseBucket } from '../../../shared/metering/bucketStateMachine';
import { buildBucket } from './support/builders';

const NOW = new Date('2025-03-10T11:10:00.000Z');
const claimed = claimBucket(buildBucket(), { token: 'run-1', now: NOW, timeoutMs: 600_000 });

describe('bucket state machine', () => {
  it('claims an Open bucket for one run until the claim expires', () => {
    // Assess
    expect(claimed).toMatchObject({ state: 'Emitting', attempts: 1, claim: { token: 'run-1', expiresAt: '2025-03-10T11:20:00.000Z' }, updatedAt: NOW.toISOString() });
    expect(isClaimLive(claimed, new Date('2025-03-10T11:19:59.999Z'))).toBe(true);
    expect(isClaimLive(claimed, new Date('2025-03-10T11:20:00.000Z'))).toBe(false);
  });

  it('refuses to claim a bucket held by a live claim, and takes over an expired one', () => {
    // Act
    const refused = () => claimBucket(claimed, { token: 'run-2', now: NOW, timeoutMs: 600_000 });
    const takenOver = claimBucket(claimed, { token: 'run-2', now: new Date('2025-03-10T11:20:00.000Z'), timeoutMs: 600_000 });

    // Assess
    expect(refused).toThrow(InvalidTransitionError);
    expect(takenOver).toMatchObject({ claim: { token: 'run-2' }, attempts: 2 });
  });

  it.each(['Emitted', 'Duplicate', 'Rejected', 'Empty'] as const)('never claims a %s bucket again', (state) => {
    // Act
    const claim = () => claimBucket(buildBucket({ state }), { token: 'run', now: NOW, timeoutMs: 1 });

    // Assess
    expect(claim).toThrow(InvalidTransitionError);
  });

  it('records Microsoft’s accepted event', () => {
    // Act
    const done = completeBucket(claimed, { kind: 'answered', sentQuantity: 5, result: { status: 'Accepted', usageEventId: 'e1', quantity: 5, messageTime: '2025-03-10T11:10:01Z' } }, NOW);

    // Assess
    expect(done).toMatchObject({ state: 'Emitted', usageEventId: 'e1', sentQuantity: 5, billedQuantity: 5, marketplaceStatus: 'Accepted', emittedAt: NOW.toISOString() });
    expect(done.claim).toBeUndefined();
  });

  it('adopts the original of a duplicate, with the quantity Microsoft holds', () => {
    // Act
    const done = completeBucket(
      claimed,
      { kind: 'answered', sentQuantity: 5, result: { status: 'Duplicate', error: { code: 'Conflict', additionalInfo: { acceptedMessage: { status: 'Duplicate', usageEventId: 'orig', quantity: 3, messageTime: '2025-03-10T10:59:00Z' } } } } },
      NOW,
    );

    // Assess
    expect(done).toMatchObject({ state: 'Duplicate', usageEventId: 'orig', billedQuantity: 3, sentQuantity: 5, messageTime: '2025-03-10T10:59:00Z' });
  });

  it.each(['Expired', 'ResourceNotActive', 'InvalidDimension', 'Error', 'SomethingNew'])('records %s as Rejected with Microsoft’s reason', (status) => {
    // Act
    const done = completeBucket(claimed, { kind: 'answered', sentQuantity: 5, result: { status, error: { code: status, message: 'because' } } }, NOW);

    // Assess
    expect(done).toMatchObject({ state: 'Rejected', marketplaceStatus: status, billedQuantity: 0, lastError: { code: status, message: 'because' } });
  });

  it('puts a bucket whose call failed back to Open with the error', () => {
    // Act
    const released = releaseBucket(claimed, { now: NOW, code: 'MarketplaceRequestFailed', message: 'timeout' });

    // Assess
    expect(released).toMatchObject({ state: 'Open', attempts: 1, lastError: { code: 'MarketplaceRequestFailed', message: 'timeout', at: NOW.toISOString() } });
    expect(released.claim).toBeUndefined();
  });

  it('refuses to complete or release a bucket that is not Emitting', () => {
    // Act
    const attempts = [() => releaseBucket(buildBucket(), { now: NOW, code: 'x', message: 'y' }), () => completeBucket(buildBucket(), { kind: 'empty' }, NOW)];

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(InvalidTransitionError);
  });
});
