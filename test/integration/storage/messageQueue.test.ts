import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { createQueue } from '../../../shared/storage/createQueue';
import { StorageMessageQueue } from '../../../shared/storage/storageMessageQueue';
import { describeMessageQueueContract } from '../../unit/storage/contracts/messageQueueContract';
import { useAzurite } from '../../support/useAzurite';

const azurite = useAzurite();
let queueCount = 0;

function freshQueueName(): string {
  queueCount += 1;
  return `q${process.pid}-${queueCount}`;
}

function sdkQueue(name: string): QueueClient {
  return QueueServiceClient.fromConnectionString(azurite().connectionString).getQueueClient(name);
}

/** Reads every visible message the way the Functions queue trigger does: base64-decode, then JSON.parse. */
async function receiveAsTrigger(client: QueueClient): Promise<unknown[]> {
  if (!(await client.exists())) return [];
  const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
  return receivedMessageItems.map((item) => JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as unknown);
}

describeMessageQueueContract('Azure Queue on Azurite', () => {
  const name = freshQueueName();
  return Promise.resolve({ queue: createQueue<unknown>({ connectionString: azurite().connectionString }, name), readBack: () => receiveAsTrigger(sdkQueue(name)) });
});

describe('StorageMessageQueue on Azurite', () => {
  it('writes the base64 of the JSON, which is what the queue trigger decodes with messageEncoding base64', async () => {
    // Prepare
    const name = freshQueueName();
    const queue = createQueue<{ subscriptionId: string; plan: string }>({ connectionString: azurite().connectionString }, name);
    const message = { subscriptionId: 'sub-1', plan: 'gold <&> ü' };

    // Act
    const sent = await queue.send(message);

    // Assess
    const { receivedMessageItems } = await sdkQueue(name).receiveMessages({ numberOfMessages: 1 });
    const [item] = receivedMessageItems;
    expect(item?.messageId).toBe(sent.messageId);
    expect(item?.messageText).toBe(Buffer.from(JSON.stringify(message), 'utf8').toString('base64'));
    expect(JSON.parse(Buffer.from(item!.messageText, 'base64').toString('utf8'))).toEqual(message);
  });

  it('creates a missing queue on the first send, once per queue instance', async () => {
    // Prepare
    const client = sdkQueue(freshQueueName());
    const existedBefore = await client.exists();
    const create = jest.spyOn(client, 'createIfNotExists');
    const queue = new StorageMessageQueue<number>(client);

    // Act
    await queue.send(1);
    await queue.send(2);
    await queue.send(3);

    // Assess
    expect(existedBefore).toBe(false);
    expect(await client.exists()).toBe(true);
    expect(create).toHaveBeenCalledTimes(1);
    expect((await client.getProperties()).approximateMessagesCount).toBe(3);
  });

  it('keeps a delayed message invisible, but queued, during its visibility delay', async () => {
    // Prepare
    const name = freshQueueName();
    const queue = createQueue<string>({ connectionString: azurite().connectionString }, name);

    // Act
    await queue.send('later', { visibilityDelaySeconds: 3600 });

    // Assess
    const client = sdkQueue(name);
    expect((await client.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems).toEqual([]);
    expect((await client.getProperties()).approximateMessagesCount).toBe(1);
  });

  it('gives the message the requested time to live', async () => {
    // Prepare
    const name = freshQueueName();
    const queue = createQueue<string>({ connectionString: azurite().connectionString }, name);

    // Act
    await queue.send('short-lived', { timeToLiveSeconds: 120 });

    // Assess
    const [item] = (await sdkQueue(name).peekMessages()).peekedMessageItems;
    expect(item!.expiresOn.getTime() - item!.insertedOn.getTime()).toBe(120_000);
  });
});
