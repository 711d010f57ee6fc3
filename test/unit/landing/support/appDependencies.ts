import { fixedClock } from '../../../../shared/clock';
import { loadConfig, type Env } from '../../../../shared/config';
import type { AppDependencies } from '../../../../shared/dependencies';

import type { IsvHooks } from '../../../../shared/isv/hooks';
import { loggerFromContext } from '../../../../shared/logging';
import type { MarketplaceApi } from '../../../../shared/marketplace';
import type { MessageQueue, QueueName } from '../../../../shared/storage';
import { createInMemoryTableStores } from '../../../fakes/inMemoryTableStores';
import { RecordingQueue } from '../../../fakes/recordingQueue';
import { FakeMarketplace } from './fakeMarketplace';
import { FORM_SECRET, NOW, recordingIsv } from './landingRig';

/** What the landing and activation functions read from the composition root. */
type UsedDependencies = Pick<AppDependencies, 'marketplace' | 'subscriptions' | 'history' | 'operations' | 'isv' | 'queue' | 'clock' | 'config' | 'logger'>;

const BASE_ENV: Env = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  MARKETPLACE_TENANT_ID: '11111111-2222-4333-8444-555555555555',
  MARKETPLACE_CLIENT_ID: '66666666-7777-4888-9999-000000000000',
  MARKETPLACE_CLIENT_SECRET: 'not-a-real-secret',
  LANDING_FORM_SECRET: FORM_SECRET,
};

/** The parts of the composition root the landing and activation functions use, over fakes. */
export function fakeAppDependencies(options: { env?: Env; marketplace?: FakeMarketplace; isv?: IsvHooks } = {}) {
  const stores = createInMemoryTableStores();
  const marketplace = options.marketplace ?? new FakeMarketplace();
  const queues = new Map<string, RecordingQueue<unknown>>();
  const deps: UsedDependencies = {
    ...stores,
    config: loadConfig({ ...BASE_ENV, ...options.env }),
    clock: fixedClock(NOW),
    marketplace: marketplace as unknown as MarketplaceApi,
    isv: options.isv ?? recordingIsv().hooks,
    queue<T>(name: QueueName): MessageQueue<T> {
      if (!queues.has(name)) queues.set(name, new RecordingQueue<unknown>(name));
      return queues.get(name) as unknown as MessageQueue<T>;
    },
    logger: (context, fields) => loggerFromContext(context, { level: 'debug', fields }),
  };
  return { deps, stores, marketplace, queues };
}
