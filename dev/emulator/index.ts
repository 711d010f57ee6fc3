/** The built-in Azure Marketplace emulator: a local stand-in for Microsoft's side of the SaaS fulfillment, metering and Entra token APIs. */
export {
  createEmulator,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_IDENTITY_HEADER,
  DEFAULT_PUBLISHER_APP_ID,
  DEFAULT_PUBLISHER_TENANT_ID,
  type EmulatorOptions,
  type RunningEmulator,
} from './emulator';
export { catalogSchema, DEFAULT_CATALOG, PRIVATE_AUDIENCE_TENANT_ID, type Catalog, type CatalogInput } from './catalog';
export { CSP_PARTNER_TENANT_ID, DEFAULT_CUSTOMER_TENANT_ID } from './purchases';
export { API_VERSION, MARKETPLACE_RESOURCE_ID, MARKETPLACE_SCOPE, type EmulatorState } from './model';
export type { FaultRuleInput } from './faults';
export type { WebhookRetryPolicy } from './webhooks';
