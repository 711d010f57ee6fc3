import { z } from 'zod';
import { MAX_APPLIED_OPERATIONS, SUBSCRIPTION_STATUSES, type SubscriptionRecord } from '../subscription/model';
import {
  dropUndefined,
  finishEntity,
  integerColumn,
  jsonColumn,
  parseStoredEntity,
  schemaVersionColumn,
  timestampColumn,
  toJsonColumn,
  validateRecord,
  type EntityCodec,
} from './entityCodec';
import { assertValidKey } from './tableKeys';

/**
 * Subscriptions table: one row per subscription. PartitionKey = subscription id (point reads, and
 * writes spread over partitions), RowKey = the constant below. Filterable fields are columns;
 * nested objects are JSON text in `…Json` columns.
 */
export const SUBSCRIPTION_ROW_KEY = 'subscription';
export const SUBSCRIPTION_SCHEMA_VERSION = 1;

const partySchema = z.object({
  emailId: z.string().optional(),
  objectId: z.string().optional(),
  tenantId: z.string().optional(),
  puid: z.string().nullable().optional(),
});
const termSchema = z.object({
  termUnit: z.string().optional(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  chargeDuration: z.string().nullable().optional(),
});
const lastErrorSchema = z.object({ code: z.string(), message: z.string(), at: z.string() });

const subscriptionSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  publisherId: z.string().optional(),
  offerId: z.string().min(1),
  planId: z.string().min(1),
  quantity: z.number().int().nonnegative().optional(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  term: termSchema,
  autoRenew: z.boolean(),
  isTest: z.boolean(),
  isFreeTrial: z.boolean(),
  sandboxType: z.string().optional(),
  sessionMode: z.string().optional(),
  allowedCustomerOperations: z.array(z.string()),
  purchaser: partySchema.optional(),
  beneficiary: partySchema.optional(),
  createdAt: z.string().min(1),
  updatedAt: z.string().min(1),
  retainUntil: z.string().optional(),
  personalDataErasedAt: z.string().optional(),
  lastError: lastErrorSchema.optional(),
  appliedOperations: z.array(z.string()).max(MAX_APPLIED_OPERATIONS).optional(),
});

const subscriptionEntitySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.literal(SUBSCRIPTION_ROW_KEY),
  schemaVersion: schemaVersionColumn(SUBSCRIPTION_SCHEMA_VERSION),
  name: z.string(),
  publisherId: z.string().optional(),
  offerId: z.string(),
  planId: z.string(),
  quantity: integerColumn.optional(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  autoRenew: z.boolean(),
  isTest: z.boolean(),
  isFreeTrial: z.boolean(),
  sandboxType: z.string().optional(),
  sessionMode: z.string().optional(),
  createdAt: timestampColumn,
  updatedAt: timestampColumn,
  retainUntil: timestampColumn.optional(),
  personalDataErasedAt: timestampColumn.optional(),
  termJson: jsonColumn(termSchema),
  allowedCustomerOperationsJson: jsonColumn(z.array(z.string())),
  purchaserJson: jsonColumn(partySchema).optional(),
  beneficiaryJson: jsonColumn(partySchema).optional(),
  lastErrorJson: jsonColumn(lastErrorSchema).optional(),
  appliedOperationsJson: jsonColumn(z.array(z.string())).optional(),
});

export const subscriptionCodec: EntityCodec<SubscriptionRecord> = {
  resource: 'Subscription',
  keyOf: (id) => ({ partitionKey: assertValidKey(id, 'subscription id'), rowKey: SUBSCRIPTION_ROW_KEY }),
  idOf: (record) => record.id,
  toEntity(value) {
    const record: SubscriptionRecord = validateRecord(subscriptionSchema, value, 'subscription');
    return finishEntity(
      {
        ...subscriptionCodec.keyOf(record.id),
        schemaVersion: SUBSCRIPTION_SCHEMA_VERSION,
        name: record.name,
        publisherId: record.publisherId,
        offerId: record.offerId,
        planId: record.planId,
        quantity: record.quantity,
        status: record.status,
        autoRenew: record.autoRenew,
        isTest: record.isTest,
        isFreeTrial: record.isFreeTrial,
        sandboxType: record.sandboxType,
        sessionMode: record.sessionMode,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
        retainUntil: record.retainUntil,
        personalDataErasedAt: record.personalDataErasedAt,
        termJson: toJsonColumn(record.term),
        allowedCustomerOperationsJson: toJsonColumn(record.allowedCustomerOperations),
        purchaserJson: toJsonColumn(record.purchaser),
        beneficiaryJson: toJsonColumn(record.beneficiary),
        lastErrorJson: toJsonColumn(record.lastError),
        appliedOperationsJson: toJsonColumn(record.appliedOperations),
      },
      `subscription ${record.id}`,
    );
  },
  fromEntity(entity) {
    const row = parseStoredEntity(subscriptionEntitySchema, entity, 'subscription');
    const { partitionKey, rowKey: _rowKey, schemaVersion: _schemaVersion, termJson, allowedCustomerOperationsJson, purchaserJson, beneficiaryJson, lastErrorJson, appliedOperationsJson, ...columns } = row;
    const record: SubscriptionRecord = {
      id: partitionKey,
      ...columns,
      term: termJson,
      allowedCustomerOperations: allowedCustomerOperationsJson,
      purchaser: purchaserJson,
      beneficiary: beneficiaryJson,
      lastError: lastErrorJson,
      appliedOperations: appliedOperationsJson,
    };
    return dropUndefined(record);
  },
};
