import { searchSubscriptions } from '../../../shared/console';
import { searchIndexedSubscriptions, searchTerms, type SearchTerm } from '../../../shared/storage';
import { InMemorySearchIndex } from '../../fakes/inMemorySearchIndex';
import { InMemorySubscriptionStore } from '../../fakes/inMemorySubscriptionStore';
import { buildSubscriptionRecord } from '../../fixtures/buildSubscriptionRecord';

const ID_A = '5a8b2a8e-9d7c-4a3e-8f2b-0c1d2e3f4a5b';
const ID_B = '7c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f';

/** The index, counting what is written to it. */
class CountingIndex extends InMemorySearchIndex {
  puts = 0;
  override put(subscriptionId: string, terms: readonly SearchTerm[], stale: readonly SearchTerm[] = []): Promise<void> {
    this.puts += 1;
    return super.put(subscriptionId, terms, stale);
  }
}

function rig() {
  const index = new CountingIndex();
  const errors: unknown[] = [];
  const store = searchIndexedSubscriptions(new InMemorySubscriptionStore(), index, (error) => errors.push(error));
  return { index, store, errors, deps: { subscriptions: store, searchIndex: index } };
}

describe('subscription search terms', () => {
  it('indexes the id, the name and its words, e-mail addresses and domains, and tenant ids, in lower case', () => {
    // Act
    const terms = searchTerms(buildSubscriptionRecord({ id: ID_A, name: 'Fabrikam Design Team', purchaser: { emailId: 'Ada@Fabrikam.example', tenantId: 'T-42' } }));

    // Assess
    expect(terms).toEqual(
      expect.arrayContaining([
        { field: 'id', term: ID_A },
        { field: 'name', term: 'fabrikam design team' },
        { field: 'name', term: 'design' },
        { field: 'email', term: 'ada@fabrikam.example' },
        { field: 'email', term: 'fabrikam.example' },
        { field: 'tenant', term: 't-42' },
      ]),
    );
  });
});

describe('searchIndexedSubscriptions', () => {
  it('indexes on create, rewrites only when a searchable field changed, and deletes the terms that went away', async () => {
    // Prepare
    const { index, store } = rig();
    await store.create(buildSubscriptionRecord({ id: ID_A, name: 'Old name' }));

    // Act
    await store.updateWithRetry(ID_A, (s) => ({ ...s, quantity: 12 }));
    const putsAfterSeats = index.puts;
    await store.updateWithRetry(ID_A, (s) => ({ ...s, name: 'New name' }));

    // Assess
    expect(putsAfterSeats).toBe(1);
    expect(index.puts).toBe(2);
    const terms = [...index.rows.values()].map((row) => row.term);
    expect(terms).toContain('new name');
    expect(terms).not.toContain('old name');
  });

  it('keeps the record written when the index fails, and reports the failure', async () => {
    // Prepare
    const { index, store, errors } = rig();
    index.put = () => Promise.reject(new Error('index down'));

    // Act
    const created = await store.create(buildSubscriptionRecord({ id: ID_A }));

    // Assess
    expect(created.value.id).toBe(ID_A);
    expect((await store.get(ID_A))?.value.id).toBe(ID_A);
    expect(errors).toHaveLength(1);
  });
});

describe('searchSubscriptions (the console query plan)', () => {
  it('finds by e-mail prefix, e-mail domain, name word, id prefix and whole id, and applies the filters', async () => {
    // Prepare
    const { store, deps } = rig();
    await store.create(buildSubscriptionRecord({ id: ID_A, name: 'Fabrikam design', purchaser: { emailId: 'ada@fabrikam.example' } }));
    await store.create(buildSubscriptionRecord({ id: ID_B, name: 'Contoso analytics', status: 'Suspended', purchaser: { emailId: 'bob@contoso.example' } }));

    // Act
    const ids = async (q: string, status?: 'Subscribed' | 'Suspended') => (await searchSubscriptions(deps, { q, status })).items.map((s) => s.id);

    // Assess
    expect(await ids('ada@fab')).toEqual([ID_A]);
    expect(await ids('contoso.example')).toEqual([ID_B]);
    expect(await ids('DESIGN')).toEqual([ID_A]);
    expect(await ids('7c0d1e2f')).toEqual([ID_B]);
    expect(await ids(ID_A.toUpperCase())).toEqual([ID_A]);
    expect((await searchSubscriptions(deps, { q: ID_A })).plan).toBe('id');
    expect(await ids('contoso', 'Subscribed')).toEqual([]);
    expect(await ids('contoso', 'Suspended')).toEqual([ID_B]);
  });

  it('drops stale index rows: a hit is shown only when the record still matches', async () => {
    // Prepare
    const { index, store, deps } = rig();
    await store.create(buildSubscriptionRecord({ id: ID_A, name: 'Fabrikam' }));
    await index.put(ID_A, [{ field: 'name', term: 'renamed long ago' }]);

    // Act
    const results = await searchSubscriptions(deps, { q: 'renamed' });

    // Assess
    expect(results.items).toEqual([]);
  });

  it('pages without text through the table, filtered, with a token for the next page', async () => {
    // Prepare
    const { store, deps } = rig();
    for (let i = 0; i < 60; i += 1) await store.create(buildSubscriptionRecord({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));

    // Act
    const first = await searchSubscriptions(deps, {});
    const second = await searchSubscriptions(deps, { next: first.next });

    // Assess
    expect(first.plan).toBe('list');
    expect(first.items).toHaveLength(50);
    expect(second.items).toHaveLength(10);
    expect(second.next).toBeUndefined();
  });
});
