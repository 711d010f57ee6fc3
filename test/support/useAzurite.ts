import { startAzurite, type RunningAzurite } from '../../dev/azurite';

/**
 * Starts one Azurite for the calling test file (beforeAll) and stops it afterwards (afterAll).
 * Returns an accessor, valid inside tests and hooks.
 */
export function useAzurite(): () => RunningAzurite {
  let running: RunningAzurite | undefined;
  beforeAll(async () => {
    running = await startAzurite();
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (running === undefined) throw new Error('Azurite is not running: call the accessor inside a test or hook');
    return running;
  };
}
