export type { Page } from './continuationToken';
export { createQueue } from './createQueue';
export { createTableStores, type TableStores } from './createTableStores';
export { historyKey, type AppendHistoryResult, type HistoryEntry, type HistoryStore, type ListHistoryOptions } from './historyStore';
export { decodeQueueMessage, encodeQueueMessage, type MessageQueue, type SendOptions, type SentMessage } from './messageQueue';
export {
  MAX_OPERATION_PAYLOAD_LENGTH,
  OPERATION_STATES,
  type ListOperationsOptions,
  type OperationLedger,
  type OperationLog,
  type OperationRecord,
  type OperationSettlement,
  type OperationState,
} from './operationLedger';
export { isValidQueueName, poisonQueueName, QUEUE_NAMES, type QueueName } from './queueNames';
export type { ConnectionStringStorageSettings, IdentityStorageSettings, StorageSettings } from './storageSettings';
export {
  updateWithRetry,
  type ListSubscriptionsOptions,
  type SubscriptionMutation,
  type SubscriptionStore,
  type UpdateSubscriptionOptions,
  type UpdateWithRetryOptions,
} from './subscriptionStore';
export { SUBSCRIPTION_LEASE_ROW_KEY, type HeldLeaseRow, type SubscriptionLeaseRow, type SubscriptionLeaseRows } from './subscriptionLeaseEntity';
export { TABLE_NAMES } from './tableNames';
export { searchIndexedSubscriptions } from './searchIndexedSubscriptions';
export { zeroStatusCounts, type StatusCounts, type SubscriptionStatusCounter } from './subscriptionStatusCounts';
export {
  matchesSearch,
  MIN_QUERY_LENGTH,
  normalizeSearchText,
  searchTerms,
  type SearchField,
  type SearchHit,
  type SearchTerm,
  type SubscriptionSearchIndex,
} from './subscriptionSearch';
export {
  emptyRoundTrips,
  formatRoundTrips,
  marketplaceCallCount,
  RoundTripCounter,
  roundTripsSince,
  storageRoundTrips,
  tableRoundTrips,
  writesOf,
  type RoundTrips,
  type TableRoundTrips,
  type WriteCounts,
} from './roundTrips';
