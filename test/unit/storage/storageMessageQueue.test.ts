import type { QueueClient } from '@azure/storage-queue';
import { DependencyUnavailableError } from '../../../shared/errors';
import { StorageMessageQueue } from '../../../shared/storage/storageMessageQueue';

function restError(statusCode: number): Error {
  return Object.assign(new Error(`status ${statusCode}`), { name: 'RestError', statusCode });
}

/** A QueueClient stand-in whose createIfNotExists answers with the given outcomes in turn. */
function stubClient(createOutcomes: Array<Error | undefined>) {
  const sent: string[] = [];
  const createIfNotExists = jest.fn(() => {
    const outcome = createOutcomes.shift();
    return outcome === undefined ? Promise.resolve({ succeeded: true }) : Promise.reject(outcome);
  });
  const client = {
    name: 'jobs',
    createIfNotExists,
    sendMessage: (text: string) => {
      sent.push(text);
      return Promise.resolve({ messageId: `m${sent.length}` });
    },
  };
  return { client: client as unknown as QueueClient, createIfNotExists, sent };
}

describe('StorageMessageQueue', () => {
  it('sends when the identity may send but not create the queue (403), and does not ask again', async () => {
    // Prepare
    const { client, createIfNotExists, sent } = stubClient([restError(403)]);
    const queue = new StorageMessageQueue<string>(client);

    // Act
    await queue.send('one');
    await queue.send('two');

    // Assess
    expect(createIfNotExists).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(2);
  });

  it('reports a failed queue creation as DependencyUnavailableError and tries to create it again on the next send', async () => {
    // Prepare
    const { client, createIfNotExists, sent } = stubClient([restError(503)]);
    const queue = new StorageMessageQueue<string>(client);

    // Act
    const first = await queue.send('one').catch((error: unknown) => error);
    await queue.send('two');

    // Assess
    expect(first).toBeInstanceOf(DependencyUnavailableError);
    expect(createIfNotExists).toHaveBeenCalledTimes(2);
    expect(sent.map((text) => Buffer.from(text, 'base64').toString('utf8'))).toEqual(['"two"']);
  });
});
