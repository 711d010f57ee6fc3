import { randomUUID } from 'node:crypto';
import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';

/**
 * The singleton lock of a timer's listener, as the real Functions host keeps it: a blob lease per
 * timer function in the `azure-webjobs-hosts` container of AzureWebJobsStorage
 * (`locks/{hostId}/{functionId}.Listener`). Only the instance holding the lease runs the timer; it
 * renews the lease while it runs, and the others try to take it over every polling interval, so
 * a timer fires once per schedule across every instance of the app, and an instance that dies
 * hands the timer to another one when its lease runs out.
 */
export interface TimerLock {
  /** Takes the lease, or renews it when this host holds it already; false when another host holds it. */
  acquire(functionName: string): Promise<boolean>;
  /** Renews a held lease; false when it was lost (expired and taken by another host). */
  renew(functionName: string): Promise<boolean>;
  /** Gives the lease up (on stop), so that another host takes over at once. */
  release(functionName: string): Promise<void>;
}

export interface TimerLockTiming {
  /** Lease duration: host.json `singleton.listenerLockPeriod` (real host default 60 s; 15–60 s). */
  periodMs: number;
  /** How often a host without the lease tries again: `singleton.listenerLockRecoveryPollingInterval` (default 60 s). */
  recoveryPollingMs: number;
}

export const DEFAULT_TIMER_LOCK_TIMING: TimerLockTiming = { periodMs: 60_000, recoveryPollingMs: 60_000 };

export const LOCK_CONTAINER = 'azure-webjobs-hosts';

export function lockBlobName(hostId: string, functionName: string): string {
  return `locks/${hostId}/Host.Functions.${functionName}.Listener`;
}

/**
 * The blob-lease lock over a connection string that names a blob endpoint (Azurite locally), or
 * undefined when there is none: without blob storage a host cannot coordinate and runs its timers alone.
 */
export function blobTimerLock(connectionString: string | undefined, hostId: string, timing: TimerLockTiming): TimerLock | undefined {
  if (connectionString === undefined || !/(^|;)\s*(BlobEndpoint=|UseDevelopmentStorage=true)/i.test(connectionString)) return undefined;
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(LOCK_CONTAINER);
  const leaseId = randomUUID();
  const durationSeconds = Math.round(timing.periodMs / 1000);
  if (durationSeconds < 15 || durationSeconds > 60) throw new Error('the timer listener lock period must be 15 to 60 seconds (a blob lease)');
  let created: Promise<void> | undefined;
  const ensureContainer = (): Promise<void> => (created ??= container.createIfNotExists().then(() => undefined, (error: unknown) => {
    created = undefined;
    throw error;
  }));
  const lease = async (functionName: string) => {
    await ensureContainer();
    const blob = container.getBlockBlobClient(lockBlobName(hostId, functionName));
    return { blob, client: blob.getBlobLeaseClient(leaseId) };
  };
  return {
    async acquire(functionName) {
      const { blob, client } = await lease(functionName);
      await createBlob(container, blob.name);
      try {
        await client.acquireLease(durationSeconds);
        return true;
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 409) return false;
        throw error;
      }
    },
    async renew(functionName) {
      const { client } = await lease(functionName);
      try {
        await client.renewLease();
        return true;
      } catch (error) {
        if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 404)) return false;
        throw error;
      }
    },
    async release(functionName) {
      const { client } = await lease(functionName);
      await client.releaseLease().catch(() => undefined);
    },
  };
}

/** The empty lock blob; already there (or leased by another host) is fine. */
async function createBlob(container: ContainerClient, name: string): Promise<void> {
  try {
    await container.getBlockBlobClient(name).upload('', 0, { conditions: { ifNoneMatch: '*' } });
  } catch (error) {
    if (!(error instanceof RestError) || (error.statusCode !== 409 && error.statusCode !== 412)) throw error;
  }
}
