import { compileRoute } from '../../dev/host/routeTemplate';

describe('compileRoute', () => {
  it.each([
    ['api/items/{id:int}', '/api/items/42', { id: '42' }],
    ['api/items/{id:int}', '/api/items/-7/', { id: '-7' }],
    ['api/items/{id:long}', '/api/items/9007199254740993', { id: '9007199254740993' }],
    ['api/items/{id:guid}', '/api/items/0f8fad5b-d9cb-469f-a165-70867728950e', { id: '0f8fad5b-d9cb-469f-a165-70867728950e' }],
    ['api/flags/{on:bool}', '/api/flags/TRUE', { on: 'TRUE' }],
    ['api/names/{name:alpha}', '/api/names/Alice', { name: 'Alice' }],
    ['api/codes/{code:length(3)}', '/api/codes/abc', { code: 'abc' }],
    ['api/ages/{age:range(18,65)}', '/api/ages/30', { age: '30' }],
    ['api/pages/{page:int?}', '/api/pages', {}],
    ['api/pages/{page=1}', '/api/pages', { page: '1' }],
    ['api/files/{*path}', '/api/files/a/b%20c/d.txt', { path: 'a/b c/d.txt' }],
    ['api/files/{**path}', '/api/files', {}],
    ['api/docs/{file}.{ext}', '/api/docs/report.pdf', { file: 'report', ext: 'pdf' }],
    ['api/Items', '/API/items', {}],
  ])('%s matches %s', (template, path, expected) => {
    // Prepare
    const route = compileRoute(template);

    // Act
    const values = route.match(path);

    // Assess
    expect(values).toEqual(expected);
  });

  it.each([
    ['api/items/{id:int}', '/api/items/abc'],
    ['api/items/{id:int}', '/api/items/2147483648'],
    ['api/items/{id:int}', '/api/items'],
    ['api/items/{id:int}', '/api/items/1/2'],
    ['api/items/{id:guid}', '/api/items/not-a-guid'],
    ['api/flags/{on:bool}', '/api/flags/yes'],
    ['api/names/{name:alpha}', '/api/names/al1ce'],
    ['api/ages/{age:range(18,65)}', '/api/ages/70'],
    ['api/other', '/api/items'],
  ])('%s does not match %s', (template, path) => {
    // Prepare
    const route = compileRoute(template);

    // Act
    const values = route.match(path);

    // Assess
    expect(values).toBeUndefined();
  });

  it('ranks literal segments before constrained parameters, before plain parameters, before catch-alls', () => {
    // Prepare
    const templates = ['api/items/{*rest}', 'api/items/{id}', 'api/items/new', 'api/items/{id:int}'];

    // Act
    const ordered = templates.map(compileRoute).sort((a, b) => a.precedence.localeCompare(b.precedence));

    // Assess
    expect(ordered.map((route) => route.template)).toEqual(['api/items/new', 'api/items/{id:int}', 'api/items/{id}', 'api/items/{*rest}']);
  });

  it.each([
    ['an unknown constraint', 'api/{id:number}', /Unknown route constraint/],
    ['a catch-all before the end', 'api/{*rest}/more', /catch-all/],
    ['an unclosed brace', 'api/{id', /unclosed/],
  ])('rejects %s', (_case, template, message) => {
    // Prepare (see the table)

    // Act
    const act = (): unknown => compileRoute(template);

    // Assess
    expect(act).toThrow(message);
  });
});
