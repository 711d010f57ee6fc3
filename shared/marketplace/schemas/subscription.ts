import { z } from 'zod';
import {
  type Open,
  optionalBoolean,
  optionalDate,
  optionalNumber,
  optionalString,
  optionalStringArray,
  optionalTrimmed,
  trimmed,
  lenientArray,
  type UnparseableItem,
} from './lenient';

export type SaasSubscriptionStatus = Open<'PendingFulfillmentStart' | 'Subscribed' | 'Suspended' | 'Unsubscribed' | 'NotStarted'>;
export type TermUnit = Open<'P1M' | 'P1Y' | 'P2Y' | 'P3Y' | 'P4Y' | 'P5Y'>;
export type CustomerOperation = Open<'Read' | 'Update' | 'Delete'>;
export type SandboxType = Open<'None' | 'Csp'>;
export type SessionMode = Open<'None' | 'DryRun'>;

/** AadIdentifier (purchaser or beneficiary). `emailId` is personal data: never log it. */
export interface AadIdentifier {
  emailId?: string;
  objectId?: string;
  tenantId?: string;
  puid?: string | null;
}

export interface SubscriptionTerm {
  termUnit?: TermUnit;
  /** Absent until activation (and for never-activated subscriptions). */
  startDate?: string;
  endDate?: string;
  chargeDuration?: string;
}

/**
 * A SaaS subscription (marketplace-api.md §2.9). Unknown fields Microsoft adds are kept on the
 * object at runtime (read them with a cast); dates stay ISO strings as received.
 */
export interface MarketplaceSubscription {
  id: string;
  publisherId?: string;
  offerId: string;
  name?: string;
  saasSubscriptionStatus: SaasSubscriptionStatus;
  beneficiary?: AadIdentifier;
  purchaser?: AadIdentifier;
  planId: string;
  /** Seats, per-seat plans only. Accepts numbers and numeric strings; null/absent → undefined. */
  quantity?: number;
  term?: SubscriptionTerm;
  autoRenew?: boolean;
  isTest?: boolean;
  /** Treat undefined as false. */
  isFreeTrial?: boolean;
  allowedCustomerOperations?: CustomerOperation[];
  sandboxType?: SandboxType;
  sessionMode?: SessionMode;
  created?: string;
  /** Undefined when absent or the `0001-01-01T00:00:00` sentinel: do not rely on it. */
  lastModified?: string;
}

export interface ResolvedSubscription {
  id: string;
  subscriptionName?: string;
  offerId: string;
  planId: string;
  quantity?: number;
  subscription: MarketplaceSubscription;
}

const aadIdentifierSchema = z.looseObject({
  emailId: optionalString,
  objectId: optionalString,
  tenantId: optionalString,
  puid: z.string().nullish(),
});

const termSchema = z.looseObject({
  termUnit: optionalTrimmed,
  startDate: optionalDate,
  endDate: optionalDate,
  chargeDuration: optionalString,
});

export const subscriptionSchema: z.ZodType<MarketplaceSubscription> = z.looseObject({
  id: trimmed,
  publisherId: optionalString,
  offerId: z.string(),
  name: optionalString,
  saasSubscriptionStatus: trimmed,
  beneficiary: aadIdentifierSchema.nullish().transform((v) => v ?? undefined),
  purchaser: aadIdentifierSchema.nullish().transform((v) => v ?? undefined),
  planId: z.string(),
  quantity: optionalNumber,
  term: termSchema.nullish().transform((v) => v ?? undefined),
  autoRenew: optionalBoolean,
  isTest: optionalBoolean,
  isFreeTrial: optionalBoolean,
  allowedCustomerOperations: optionalStringArray,
  sandboxType: optionalTrimmed,
  sessionMode: optionalTrimmed,
  created: optionalDate,
  lastModified: optionalDate,
});

export const resolvedSubscriptionSchema: z.ZodType<ResolvedSubscription> = z.looseObject({
  id: trimmed,
  subscriptionName: optionalString,
  offerId: z.string(),
  planId: z.string(),
  quantity: optionalNumber,
  subscription: subscriptionSchema,
});

export interface SubscriptionPage {
  subscriptions: MarketplaceSubscription[];
  /** Items that did not parse: set aside so that the rest of the page is still processed. */
  unparseable: UnparseableItem[];
  nextLink?: string;
  continuationToken?: string;
}

export const subscriptionPageSchema: z.ZodType<SubscriptionPage> = z
  .looseObject({
    subscriptions: lenientArray(subscriptionSchema).nullish(),
    '@nextLink': optionalTrimmed,
    continuationToken: optionalTrimmed,
  })
  .transform((page) => ({
    subscriptions: page.subscriptions?.items ?? [],
    unparseable: page.subscriptions?.unparseable ?? [],
    nextLink: page['@nextLink'] || undefined,
    continuationToken: page.continuationToken || undefined,
  }));
