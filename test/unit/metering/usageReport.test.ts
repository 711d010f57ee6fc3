import { ValidationError } from '../../../shared/errors';
import { getUsageReport, parseUsageReportQuery } from '../../../shared/metering/usageReport';
import { SUBSCRIPTION_ID } from './support/builders';
import { meteringRig, wire } from './support/rig';

describe('usage report', () => {
  it('lists hours with their totals, emission status and unbilled usage, oldest first', async () => {
    // Prepare
    const rig = await meteringRig({ now: '2025-03-10T09:30:00.000Z' });
    await rig.ingestion.ingest([wire({ timestamp: '2025-03-10T09:10:00Z', quantity: 1.25 }), wire({ timestamp: '2025-03-10T09:20:00Z', quantity: 2, dimension: 'storage-gb' })]);
    rig.clock.set('2025-03-10T10:30:00.000Z');
    await rig.ingestion.ingest([wire({ timestamp: '2025-03-10T10:10:00Z', quantity: 4 })]);
    rig.clock.set('2025-03-10T10:40:00.000Z');
    await rig.emit();
    await rig.ingestion.ingest([wire({ timestamp: '2025-03-10T09:50:00Z', quantity: 0.75, id: 'late' })]);

    // Act
    const report = await getUsageReport(rig, { subscriptionId: SUBSCRIPTION_ID });

    // Assess
    expect(report).toMatchObject({ subscriptionId: SUBSCRIPTION_ID, from: '2025-03-08T10:00:00.000Z', to: '2025-03-10T11:00:00.000Z' });
    expect(report.hours).toEqual([
      expect.objectContaining({ hour: '2025-03-10T09:00:00.000Z', dimension: 'api-calls', status: 'Emitted', recordedQuantity: 2, records: 2, lateRecords: 1, sentQuantity: 1.25, billedQuantity: 1.25, unbilledQuantity: 0.75, usageEventId: expect.any(String) }),
      expect.objectContaining({ hour: '2025-03-10T09:00:00.000Z', dimension: 'storage-gb', status: 'Emitted', recordedQuantity: 2, unbilledQuantity: 0 }),
      expect.objectContaining({ hour: '2025-03-10T10:00:00.000Z', dimension: 'api-calls', status: 'Open', recordedQuantity: 4, unbilledQuantity: 0, attempts: 0 }),
    ]);
  });

  it('reports everything recorded for a rejected hour as unbilled', async () => {
    // Prepare
    const rig = await meteringRig({ now: '2025-03-10T10:30:00.000Z' });
    await rig.ingestion.ingest([wire({ quantity: 3 })]);
    rig.metering.inactive.add(SUBSCRIPTION_ID);
    rig.clock.set('2025-03-10T11:10:00.000Z');
    await rig.emit();

    // Act
    const report = await getUsageReport(rig, { subscriptionId: SUBSCRIPTION_ID });

    // Assess
    expect(report.hours[0]).toMatchObject({ status: 'Rejected', marketplaceStatus: 'ResourceNotActive', recordedQuantity: 3, unbilledQuantity: 3, lastError: { code: 'ResourceNotActive' } });
  });

  it.each([
    ['no subscriptionId', '', /subscriptionId: required/],
    ['a subscriptionId that is not a GUID', 'subscriptionId=abc', /subscriptionId: must be a GUID/],
    ['a from that is not a date', `subscriptionId=${SUBSCRIPTION_ID}&from=yesterday`, /from: must be an ISO-8601 date-time/],
    ['a page size of 0', `subscriptionId=${SUBSCRIPTION_ID}&pageSize=0`, /pageSize: must be a whole number from 1 to 500/],
  ])('refuses a query with %s', (_case, query, issue) => {
    // Act
    const parse = () => parseUsageReportQuery(new URLSearchParams(query));

    // Assess
    expect(parse).toThrow(ValidationError);
    try {
      parse();
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([expect.stringMatching(issue)]);
    }
  });

  it.each([
    ['from after to', { from: '2025-03-10T10:00:00Z', to: '2025-03-10T09:00:00Z' }, 'from: must be before to'],
    ['more than 31 days', { from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' }, 'to: at most 31 days after from'],
  ])('refuses a range with %s', async (_case, range, issue) => {
    // Prepare
    const rig = await meteringRig();

    // Act
    const reading = getUsageReport(rig, { subscriptionId: SUBSCRIPTION_ID, ...range });

    // Assess
    await expect(reading).rejects.toMatchObject({ issues: [issue] });
  });
});
