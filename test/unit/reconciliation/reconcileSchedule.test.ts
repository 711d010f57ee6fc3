import { isReconcileHour, RECONCILE_SCHEDULE } from '../../../shared/reconciliation';

describe('isReconcileHour', () => {
  it.each([
    ['hourly: every hour', '2026-03-02T13:20:00Z', 1, true],
    ['every 6 hours: at 12:20', '2026-03-02T12:20:00Z', 6, true],
    ['every 6 hours: not at 13:20', '2026-03-02T13:20:00Z', 6, false],
    ['daily: at 00:20 UTC only', '2026-03-02T00:20:00Z', 24, true],
    ['daily: not at 12:20 UTC', '2026-03-02T12:20:00Z', 24, false],
    ['timer off: never', '2026-03-02T00:20:00Z', 0, false],
  ])('reconciles %s', (_name, at, everyHours, expected) => {
    // Act
    const due = isReconcileHour(new Date(at), everyHours);

    // Assess
    expect(due).toBe(expected);
  });

  it('fires at minute 20 of every hour (6-field NCRONTAB)', () => {
    // Assess
    expect(RECONCILE_SCHEDULE.split(' ')).toEqual(['0', '20', '*', '*', '*', '*']);
  });
});
