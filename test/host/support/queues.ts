import { QueueServiceClient } from '@azure/storage-queue';

export interface TestQueues {
  /** Sends `text` base64-encoded, as a producer for the Functions queue trigger must. */
  send(queueName: string, text: string): Promise<string>;
  /** Sends `text` exactly as given (no encoding). */
  sendRaw(queueName: string, text: string): Promise<string>;
  /** The raw texts of up to 32 visible messages, without dequeuing them. */
  peekRaw(queueName: string): Promise<string[]>;
  /** Like peekRaw, base64-decoded. */
  peek(queueName: string): Promise<string[]>;
  /** Visible plus invisible messages (approximate count from the service). */
  count(queueName: string): Promise<number>;
}

export function testQueues(connectionString: string): TestQueues {
  const service = QueueServiceClient.fromConnectionString(connectionString);
  const queue = async (name: string) => {
    const client = service.getQueueClient(name);
    await client.createIfNotExists();
    return client;
  };
  const sendRaw = async (queueName: string, text: string): Promise<string> => {
    const sent = await (await queue(queueName)).sendMessage(text);
    return sent.messageId;
  };
  const peekRaw = async (queueName: string): Promise<string[]> => {
    const peeked = await (await queue(queueName)).peekMessages({ numberOfMessages: 32 });
    return peeked.peekedMessageItems.map((item) => item.messageText);
  };
  return {
    send: (queueName, text) => sendRaw(queueName, Buffer.from(text, 'utf8').toString('base64')),
    sendRaw,
    peekRaw,
    peek: async (queueName) => (await peekRaw(queueName)).map((text) => Buffer.from(text, 'base64').toString('utf8')),
    count: async (queueName) => (await (await queue(queueName)).getProperties()).approximateMessagesCount ?? 0,
  };
}
