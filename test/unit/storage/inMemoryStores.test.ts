import { InMemoryHistoryStore } from '../../fakes/inMemoryHistoryStore';
import { InMemoryOperationLedger } from '../../fakes/inMemoryOperationLedger';
import { InMemorySubscriptionStore } from '../../fakes/inMemorySubscriptionStore';
import { RecordingQueue } from '../../fakes/recordingQueue';
import { describeHistoryStoreContract } from './contracts/historyStoreContract';
import { describeMessageQueueContract } from './contracts/messageQueueContract';
import { describeOperationLedgerContract } from './contracts/operationLedgerContract';
import { describeSubscriptionStoreContract } from './contracts/subscriptionStoreContract';

// The same contracts run against Azurite in test/integration/storage: the fakes cannot drift.
describeSubscriptionStoreContract('in memory', () => Promise.resolve(new InMemorySubscriptionStore()));
describeOperationLedgerContract('in memory', () => Promise.resolve(new InMemoryOperationLedger()));
describeHistoryStoreContract('in memory', () => Promise.resolve(new InMemoryHistoryStore()));
describeMessageQueueContract('recording', () => {
  const queue = new RecordingQueue<unknown>('contract-queue');
  return Promise.resolve({ queue, readBack: () => Promise.resolve(queue.messages()) });
});
