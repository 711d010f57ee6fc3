import { parseDetailQuery, parseListQuery, subscriptionIdParam } from '../../../shared/admin';
import { NotFoundError, ValidationError } from '../../../shared/errors';

describe('parseListQuery', () => {
  it('reads every filter and the paging parameters', () => {
    // Prepare
    const query = new URLSearchParams({ status: 'Subscribed', offerId: 'contoso-seats', planId: 'team', isTest: 'false', pageSize: '25', continuationToken: 'abc' });

    // Act
    const options = parseListQuery(query);

    // Assess
    expect(options).toEqual({ status: 'Subscribed', offerId: 'contoso-seats', planId: 'team', isTest: false, pageSize: 25, continuationToken: 'abc' });
  });

  it('leaves a function key passed as ?code= to the host', () => {
    // Act
    const options = parseListQuery(new URLSearchParams({ code: 'the-key', status: 'Suspended' }));

    // Assess
    expect(options).toEqual({ status: 'Suspended' });
  });

  it('lists every problem: an unknown status, a page size out of range and a parameter it does not know', () => {
    // Prepare
    const query = new URLSearchParams({ status: 'Active', pageSize: '5000', offer: 'x' });

    // Act
    const error = (() => {
      try {
        parseListQuery(query);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      'status: must be one of PendingFulfillmentStart, Subscribed, Suspended, Unsubscribed',
      'pageSize: must be a whole number from 1 to 1000',
      expect.stringContaining('offer'),
    ]);
  });
});

describe('parseDetailQuery', () => {
  it('reads the history page parameters', () => {
    // Act
    const query = parseDetailQuery(new URLSearchParams({ historyPageSize: '10', historyContinuationToken: 't' }));

    // Assess
    expect(query).toEqual({ historyPageSize: 10, historyContinuationToken: 't' });
  });
});

describe('subscriptionIdParam', () => {
  it.each([undefined, 'not-a-guid', '37f9dea2-4345-438f-b0bd-03d40d28c7e0/../x'])('answers NotFound for %s', (value) => {
    // Act
    const act = () => subscriptionIdParam(value);

    // Assess
    expect(act).toThrow(NotFoundError);
  });
});
