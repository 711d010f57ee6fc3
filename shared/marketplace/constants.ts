/** Entra application (resource) id of the Marketplace SaaS fulfillment and metering APIs (public cloud). */
export const MARKETPLACE_RESOURCE_ID = '20e940b3-4c77-4b0b-9a53-9e16a1b010a7';

/** The scope to request for the v2 token endpoint (and, as resource, for managed identity). */
export const MARKETPLACE_SCOPE = `${MARKETPLACE_RESOURCE_ID}/.default`;

/** The only api-version of fulfillment v2 and metering. */
export const MARKETPLACE_API_VERSION = '2018-08-31';

export const DEFAULT_MARKETPLACE_BASE_URL = 'https://marketplaceapi.microsoft.com/api';

/**
 * Hosts that may receive our bearer token whatever the configured base URL. The service returns
 * `@nextLink` and `Operation-Location` URLs on the second host (marketplace-api.md §1.1).
 */
export const MARKETPLACE_HOSTS: readonly string[] = ['marketplaceapi.microsoft.com', 'main.prod.marketplaceapi.azure.com'];
