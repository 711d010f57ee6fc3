import { nextOccurrences, timerTriggerData } from '../../dev/host/timerScheduler';

const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());

describe('nextOccurrences', () => {
  it('ANDs day-of-month with day-of-week, so "0 0 0 13 * 5" gives only Friday the 13ths', () => {
    // Prepare
    const from = new Date('2026-01-01T00:00:00Z');

    // Act
    const dates = nextOccurrences('0 0 0 13 * 5', from, 4);

    // Assess
    expect(iso(dates)).toEqual(['2026-02-13T00:00:00.000Z', '2026-03-13T00:00:00.000Z', '2026-11-13T00:00:00.000Z', '2027-08-13T00:00:00.000Z']);
    expect(dates.every((date) => date.getUTCDay() === 5 && date.getUTCDate() === 13)).toBe(true);
  });

  it('reads the first field as seconds: "0 */5 * * * *" is every five minutes', () => {
    // Prepare
    const from = new Date('2026-03-01T10:02:30Z');

    // Act
    const dates = nextOccurrences('0 */5 * * * *', from, 3);

    // Assess
    expect(iso(dates)).toEqual(['2026-03-01T10:05:00.000Z', '2026-03-01T10:10:00.000Z', '2026-03-01T10:15:00.000Z']);
  });

  it('returns occurrences strictly after the start, in UTC', () => {
    // Prepare
    const from = new Date('2026-06-01T03:00:00Z');

    // Act
    const dates = nextOccurrences('0 0 3 * * *', from, 2);

    // Assess
    expect(iso(dates)).toEqual(['2026-06-02T03:00:00.000Z', '2026-06-03T03:00:00.000Z']);
  });

  it('accepts day and month names', () => {
    // Prepare
    const from = new Date('2026-01-03T00:00:00Z'); // a Saturday

    // Act
    const dates = nextOccurrences('0 30 9 * Jan Mon-Fri', from, 2);

    // Assess
    expect(iso(dates)).toEqual(['2026-01-05T09:30:00.000Z', '2026-01-06T09:30:00.000Z']);
  });

  it.each([
    ['a five-field cron pattern', '0 */5 * * *', /has 5 fields; NCRONTAB needs 6/],
    ['a seven-field pattern', '0 0 0 1 1 * 2030', /has 7 fields/],
    ['a TimeSpan', '00:05:00', /TimeSpan/],
    ['an out-of-range field', '0 61 * * * *', /is invalid/],
  ])('rejects %s loudly', (_case, schedule, message) => {
    // Prepare
    const from = new Date('2026-01-01T00:00:00Z');

    // Act
    const act = (): Date[] => nextOccurrences(schedule, from, 1);

    // Assess
    expect(act).toThrow(message);
  });
});

describe('timerTriggerData', () => {
  it('sends the timer argument in the host shape (PascalCase) with the given schedule status', () => {
    // Prepare
    const status = { Last: '2026-01-01T00:00:00.000Z', Next: '2026-01-01T00:05:00.000Z', LastUpdated: '2026-01-01T00:00:01.000Z' };

    // Act
    const data = timerTriggerData(status);

    // Assess
    expect(JSON.parse(data.json ?? '')).toEqual({ Schedule: { AdjustForDST: true }, ScheduleStatus: status, IsPastDue: false });
  });
});
