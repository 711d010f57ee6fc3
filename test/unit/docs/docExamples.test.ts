import { kindOf, prepare, type DocBlock } from '../../dev/docExamples';

const block = (body: string, info = 'sh'): DocBlock => ({ file: 'README.md', line: 10, info, body });

describe('the documentation example convention', () => {
  it.each([
    ['sh', 'runnable'],
    ['sh not-run: Azure only', 'not-run'],
    ['json not-run', 'not-run'],
    ['json', 'unmarked'],
    ['', 'unmarked'],
    ['bash', 'unmarked'],
  ])('a block fenced ```%s is %s', (info, kind) => {
    // Act
    const found = kindOf(block('echo', info));

    // Assess
    expect(found).toBe(kind);
  });

  it('fills in the placeholder assignments the test knows and moves the default addresses to the test stack', () => {
    // Prepare
    const text = 'BASE=http://127.0.0.1:7071/api; KEY=<function or host key>   # <not code>\ncurl "$BASE/subscriptions/$ID" http://127.0.0.1:7072/control';

    // Act
    const prepared = prepare(block(text), { KEY: 'k1' }, [
      ['http://127.0.0.1:7071', 'http://127.0.0.1:40001'],
      ['http://127.0.0.1:7072', 'http://127.0.0.1:40002'],
    ]);

    // Assess
    expect(prepared).toBe("BASE=http://127.0.0.1:40001/api; KEY='k1'   # <not code>\ncurl \"$BASE/subscriptions/$ID\" http://127.0.0.1:40002/control");
  });

  it('refuses a placeholder the test has no value for, and a bare placeholder in code', () => {
    // Act
    const unknown = () => prepare(block('TOKEN=<your token>'), { KEY: 'k1' }, []);
    const bare = () => prepare(block('curl "$BASE/subscriptions/<id>"'), {}, []);

    // Assess
    expect(unknown).toThrow('README.md:10: the test has no value for TOKEN=<…>');
    expect(bare).toThrow('README.md:10: placeholder <id> in a runnable block');
  });
});
