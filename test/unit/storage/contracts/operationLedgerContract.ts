import { AlreadyExistsError, ConcurrencyConflictError, NotFoundError, ValidationError } from '../../../../shared/errors';
import { MAX_OPERATION_PAYLOAD_LENGTH, type OperationLedger } from '../../../../shared/storage/operationLedger';
import { buildOperation } from '../support/storageBuilders';

/** The behaviour every OperationLedger must have; run against the fake and against Azurite. */
export function describeOperationLedgerContract(name: string, createLedger: () => Promise<OperationLedger>): void {
  describe(`OperationLedger contract (${name})`, () => {
    it('records an operation once and finds it by operation id alone', async () => {
      // Prepare
      const ledger = await createLedger();
      const operation = buildOperation({ quantity: 12, lastError: { code: 'Timeout', message: 'marketplace slow', at: '2026-02-01T10:00:05Z' } });

      // Act
      const created = await ledger.create(operation);
      const read = await ledger.get(operation.id);

      // Assess
      expect(created.value).toEqual(operation);
      expect(read).toEqual({ value: operation, etag: created.etag });
    });

    it('refuses a duplicate delivery of the same operation id with AlreadyExistsError and keeps the first', async () => {
      // Prepare
      const ledger = await createLedger();
      const first = buildOperation({ state: 'Queued' });
      await ledger.create(first);

      // Act
      const duplicate = ledger.create({ ...first, state: 'Received', attempts: 0 });

      // Assess
      await expect(duplicate).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await ledger.get(first.id))?.value.state).toBe('Queued');
    });

    it('returns undefined for an operation id never recorded', async () => {
      // Prepare
      const ledger = await createLedger();

      // Act
      const read = await ledger.get('33333333-3333-3333-3333-333333333333');

      // Assess
      expect(read).toBeUndefined();
    });

    it('updates with the current ETag and refuses a stale one with ConcurrencyConflictError', async () => {
      // Prepare
      const ledger = await createLedger();
      const created = await ledger.create(buildOperation({ state: 'Received' }));
      const processing = await ledger.update({ ...created.value, state: 'Processing', attempts: 1 }, created.etag);

      // Act
      const stale = ledger.update({ ...created.value, state: 'Rejected' }, created.etag);

      // Assess
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyConflictError);
      expect(await ledger.get(created.value.id)).toEqual(processing);
      expect(processing.value).toMatchObject({ state: 'Processing', attempts: 1 });
    });

    it('refuses an update of an operation never recorded with NotFoundError', async () => {
      // Prepare
      const ledger = await createLedger();
      const created = await ledger.create(buildOperation());

      // Act
      const missing = ledger.update({ ...created.value, id: '44444444-4444-4444-4444-444444444444' }, created.etag);

      // Assess
      await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    });

    it('keeps a payload up to the limit and refuses a longer one with ValidationError', async () => {
      // Prepare
      const ledger = await createLedger();
      const atLimit = buildOperation({ payload: 'p'.repeat(MAX_OPERATION_PAYLOAD_LENGTH) });
      const overLimit = buildOperation({ payload: 'p'.repeat(MAX_OPERATION_PAYLOAD_LENGTH + 1) });

      // Act
      await ledger.create(atLimit);
      const refused = ledger.create(overLimit);

      // Assess
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      expect((await ledger.get(atLimit.id))?.value.payload).toHaveLength(MAX_OPERATION_PAYLOAD_LENGTH);
    });

    it('refuses an unknown state and an id that cannot be a table key with ValidationError', async () => {
      // Prepare
      const ledger = await createLedger();
      const unknownState = { ...buildOperation(), state: 'Done' } as unknown as Parameters<OperationLedger['create']>[0];

      // Act
      const results = await Promise.allSettled([ledger.create(unknownState), ledger.create(buildOperation({ id: 'op#1' })), ledger.get('op?1')]);

      // Assess
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor : r.status))).toEqual([ValidationError, ValidationError, ValidationError]);
    });

    it('settles a row with one ETag-conditional merge that keeps the columns it does not name', async () => {
      // Prepare
      const ledger = await createLedger();
      const operation = buildOperation({ state: 'Received', planId: 'gold', payload: '{"id":"x"}' });
      const created = await ledger.create(operation);

      // Act
      const etag = await ledger.settle(operation.id, { state: 'Completed', marketplaceStatus: 'Succeeded', attempts: 1, updatedAt: '2026-02-01T10:00:09.000Z' }, created.etag);
      const stale = ledger.settle(operation.id, { state: 'Failed' }, created.etag);

      // Assess
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyConflictError);
      expect(await ledger.get(operation.id)).toEqual({
        value: { ...operation, state: 'Completed', marketplaceStatus: 'Succeeded', attempts: 1, updatedAt: '2026-02-01T10:00:09.000Z' },
        etag,
      });
      await expect(ledger.settle('missing-operation', { state: 'Completed' }, etag)).rejects.toBeInstanceOf(NotFoundError);
      await expect(ledger.settle(operation.id, { state: 'Paused' } as never, etag)).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
