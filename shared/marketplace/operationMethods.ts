import { type ClientContext, requireText } from './clientContext';
import { type MarketplaceApi } from './marketplaceApi';
import { parseBody } from './responses';
import { operationListSchema, operationSchema } from './schemas/operation';
import { segment } from './urls';

type OperationMethods = Pick<MarketplaceApi, 'listOutstandingOperations' | 'getOperation' | 'getOperationByLocation' | 'updateOperation'>;

const ACKNOWLEDGEMENTS: ReadonlySet<string> = new Set(['Success', 'Failure']);

export function createOperationMethods(ctx: ClientContext): OperationMethods {
  const { send, urls } = ctx;
  const operationsPath = (subscriptionId: string): string =>
    `/saas/subscriptions/${segment(requireText('subscriptionId', subscriptionId))}/operations`;
  const operationPath = (subscriptionId: string, operationId: string): string =>
    `${operationsPath(subscriptionId)}/${segment(requireText('operationId', operationId))}`;

  return {
    async listOutstandingOperations(subscriptionId, options) {
      const url = urls.build(operationsPath(subscriptionId));
      const response = await send({ operation: 'listOutstandingOperations', method: 'GET', url, retry: 'safe' }, options);
      return parseBody(response, operationListSchema, 'listOutstandingOperations', () => []);
    },

    async getOperation(subscriptionId, operationId, options) {
      const url = urls.build(operationPath(subscriptionId, operationId));
      const response = await send({ operation: 'getOperation', method: 'GET', url, retry: 'safe' }, options);
      return parseBody(response, operationSchema, 'getOperation');
    },

    async getOperationByLocation(operationLocation, options) {
      const url = urls.follow(requireText('operationLocation', operationLocation));
      const response = await send({ operation: 'getOperationByLocation', method: 'GET', url, retry: 'safe' }, options);
      return parseBody(response, operationSchema, 'getOperationByLocation');
    },

    async updateOperation(subscriptionId, operationId, status, options) {
      if (!ACKNOWLEDGEMENTS.has(status)) throw new TypeError("status must be 'Success' or 'Failure'");
      const url = urls.build(operationPath(subscriptionId, operationId));
      await send({ operation: 'updateOperation', method: 'PATCH', url, body: { status }, retry: 'safe' }, options);
    },
  };
}
