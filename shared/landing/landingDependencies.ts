import { randomUUID } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import type { ActivationMessage } from '../activation/activationMessage';
import type { LandingSettings } from '../config';
import type { AppDependencies } from '../dependencies';
import type { Logger } from '../logging';
import { QUEUE_NAMES } from '../storage';
import type { ConfirmActivationDeps } from './confirmActivation';
import type { OpenLandingPageDeps } from './openLandingPage';

/** Everything the two landing page functions use. */
export interface LandingDeps extends OpenLandingPageDeps, ConfirmActivationDeps {
  subscriptions: OpenLandingPageDeps['subscriptions'] & ConfirmActivationDeps['subscriptions'];
  settings: Readonly<LandingSettings>;
  logger: Logger;
}

/** The parts of the composition root the landing page functions read. */
export type LandingAppDependencies = Pick<AppDependencies, 'marketplace' | 'subscriptions' | 'history' | 'queue' | 'clock' | 'config' | 'logger'>;

/** Narrows the app's composition root to what the landing page needs, for one invocation. */
export function landingDependencies(app: LandingAppDependencies, context: InvocationContext): LandingDeps {
  return {
    marketplace: app.marketplace,
    subscriptions: app.subscriptions,
    history: app.history,
    activations: app.queue<ActivationMessage>(QUEUE_NAMES.activations),
    clock: app.clock,
    newId: randomUUID,
    settings: app.config.landing,
    logger: app.logger(context),
  };
}
