import { zeroStatusCounts, type StatusCounts, type SubscriptionStatusCounter, type SubscriptionStore } from '../../shared/storage';

/** SubscriptionStatusCounter over a store's pages (what the Table adapter's projection query returns), counting its calls. */
export class InMemoryStatusCounter implements SubscriptionStatusCounter {
  calls = 0;

  constructor(private readonly store: Pick<SubscriptionStore, 'list'>) {}

  async countByStatus(): Promise<StatusCounts> {
    this.calls += 1;
    const counts = zeroStatusCounts();
    let token: string | undefined;
    do {
      const page = await this.store.list({ pageSize: 1_000, continuationToken: token });
      for (const { value } of page.items) counts[value.status] += 1;
      token = page.continuationToken;
    } while (token !== undefined);
    return counts;
  }
}
