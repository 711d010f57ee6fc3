import { ValidationError } from '../../../shared/errors';
import { nextPollDelaySeconds, parseTrackingMessage } from '../../../shared/publisherOperations';

const MESSAGE = {
  v: 1,
  requestId: '9d1c3c2e-8a51-4d8b-9d0e-000000000001',
  subscriptionId: '37f9dea2-4345-438f-b0bd-03d40d28c7e0',
  operationId: '529f53a3-a5b8-4b8e-9f5e-7a3d0c6fa7a2',
  operationLocation: 'https://marketplaceapi.microsoft.com/api/saas/subscriptions/s/operations/o?api-version=2018-08-31',
  action: 'ChangePlan',
  delaySeconds: 10,
};

describe('parseTrackingMessage', () => {
  it('reads a message it wrote', () => {
    // Act
    const message = parseTrackingMessage(MESSAGE);

    // Assess
    expect(message).toEqual(MESSAGE);
  });

  it.each([
    ['a string', 'hello'],
    ['an unknown action', { ...MESSAGE, action: 'Suspend' }],
    ['a request id with a slash', { ...MESSAGE, requestId: 'a/b' }],
    ['a location that is not an http URL', { ...MESSAGE, operationLocation: 'file:///etc/passwd' }],
  ])('throws a ValidationError for %s, so that it ends in the poison queue', (_name, input) => {
    // Act
    const act = () => parseTrackingMessage(input);

    // Assess
    expect(act).toThrow(ValidationError);
  });
});

describe('nextPollDelaySeconds', () => {
  it.each([
    ['first poll: Retry-After', undefined, 10, 60, 10],
    ['first poll without Retry-After: 10 s', undefined, undefined, 60, 10],
    ['first poll: capped by the maximum', undefined, 10, 3, 3],
    ['then doubling', 10, undefined, 60, 20],
    ['never past the maximum', 40, undefined, 60, 60],
    ['never less than 1 s', undefined, 0, 60, 1],
  ])('waits %s', (_name, previous, retryAfter, max, expected) => {
    // Act
    const delay = nextPollDelaySeconds(previous, retryAfter, max);

    // Assess
    expect(delay).toBe(expected);
  });
});
