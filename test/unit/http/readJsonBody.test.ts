import { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../../shared/errors';
import { MAX_LISTED_ISSUES, readJsonBody, type JsonBodyRequest } from '../../../shared/http/readJsonBody';

const schema = z.object({
  subscription: z.object({ planId: z.string(), quantity: z.number().int().positive().optional() }),
  tags: z.array(z.string()).default([]),
});

function post(body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: 'http://localhost/api/subscriptions',
    headers,
    body: typeof body === 'string' ? { string: body } : { bytes: body },
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected readJsonBody to fail');
}

describe('readJsonBody', () => {
  it('returns the body parsed by the schema, defaults included', async () => {
    // Prepare
    const request = post('{"subscription":{"planId":"pro","quantity":3},"extra":true}');

    // Act
    const body = await readJsonBody(request, schema, { maxBytes: 1024 });

    // Assess
    expect(body).toEqual({ subscription: { planId: 'pro', quantity: 3 }, tags: [] });
  });

  it.each<[string, Record<string, string>, 'json' | 'any' | undefined]>([
    ['a charset parameter', { 'content-type': 'application/json; charset=utf-8' }, undefined],
    ['a +json media type', { 'content-type': 'application/merge-patch+json' }, 'json'],
    ['no content type', {}, undefined],
    ['no content type, when told to accept any', {}, 'any'],
    ['text/plain, when told to accept any', { 'content-type': 'text/plain' }, 'any'],
  ])('accepts a body with %s', async (_name, headers, contentType) => {
    // Prepare
    const request = post('{"subscription":{"planId":"pro"}}', headers);

    // Act
    const body = await readJsonBody(request, schema, { maxBytes: 1024, contentType });

    // Assess
    expect(body.subscription.planId).toBe('pro');
  });

  it('accepts a body of exactly maxBytes, counting bytes rather than characters', async () => {
    // Prepare
    const text = '{"subscription":{"planId":"é"}}';
    const request = post(text);

    // Act
    const body = await readJsonBody(request, schema, { maxBytes: Buffer.byteLength(text) });

    // Assess
    expect(body.subscription.planId).toBe('é');
  });

  it('refuses a body one byte over the limit with PayloadTooLargeError', async () => {
    // Prepare
    const text = '{"subscription":{"planId":"é"}}';
    const request = post(text);

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes: Buffer.byteLength(text) - 1 }));

    // Assess
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ limitBytes: Buffer.byteLength(text) - 1 });
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    // Prepare
    const request = post('{}', { 'content-type': 'application/json', 'content-length': '5000000' });

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes: 1024 }));

    // Assess
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(request.bodyUsed).toBe(false);
  });

  it('stops reading an endless body at the limit', async () => {
    // Prepare
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        controller.enqueue(new Uint8Array(100).fill(0x20));
      },
    });
    const request: JsonBodyRequest = {
      headers: new Headers({ 'content-type': 'application/json' }),
      body: body as unknown as JsonBodyRequest['body'],
      bodyUsed: false,
    };

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes: 1000 }));

    // Assess
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(pulls).toBeLessThan(20);
  });

  it.each<[string, HttpRequest, string, string[]]>([
    ['an empty body', post(''), 'Request body is empty', ['(body): required']],
    ['malformed JSON', post('{"subscription": {"planId": "secret-ish"'), 'Request body is not valid JSON', ['(body): not valid JSON']],
    ['bytes that are not UTF-8', post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 'Request body is not valid UTF-8', ['(body): not valid UTF-8']],
  ])('refuses %s with a ValidationError', async (_name, request, message, issues) => {
    // Prepare (request built above)

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes: 1024 }));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ message, issues });
  });

  it('lists the path of every schema issue', async () => {
    // Prepare
    const request = post('{"subscription":{"quantity":0},"tags":["a",2]}');

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes: 1024 }));

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      'subscription.planId: Invalid input: expected string, received undefined',
      'subscription.quantity: Too small: expected number to be >0',
      'tags[1]: Invalid input: expected string, received number',
    ]);
  });

  it('names the root when the whole body has the wrong type', async () => {
    // Prepare
    const request = post('[]');

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes: 1024 }));

    // Assess
    expect((error as ValidationError).issues).toEqual(['(root): Invalid input: expected object, received array']);
  });

  it(`lists at most ${MAX_LISTED_ISSUES} issues and counts the rest`, async () => {
    // Prepare
    const request = post(JSON.stringify(Array.from({ length: 50 }, (_, i) => i)));

    // Act
    const error = await failure(readJsonBody(request, z.array(z.string()), { maxBytes: 1024 }));

    // Assess
    const { issues } = error as ValidationError;
    expect(issues).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(issues.at(-1)).toBe(`… and ${50 - MAX_LISTED_ISSUES} more`);
  });

  it.each([0, -1, 1.5, Number.NaN])('treats maxBytes %p as a programming mistake', async (maxBytes) => {
    // Prepare
    const request = post('{}');

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes }));

    // Assess
    expect(error).toBeInstanceOf(RangeError);
  });

  it('treats reading a body twice as a programming mistake', async () => {
    // Prepare
    const request = post('{"subscription":{"planId":"pro"}}');
    await request.text();

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes: 1024 }));

    // Assess
    expect(error).toBeInstanceOf(TypeError);
  });
});

describe('readJsonBody: the one content-type rule', () => {
  const bytes = (text: string, headers: Record<string, string>): HttpRequest =>
    new HttpRequest({ method: 'POST', url: 'http://localhost/api/x', headers, body: { bytes: Buffer.from(text) } });

  it.each([
    ['a form post (what curl -d sends)', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['text/plain', 'text/plain', 'text/plain'],
    ['multipart', 'multipart/form-data; boundary=x', 'multipart/form-data'],
  ])('refuses %s with UnsupportedMediaTypeError (415) naming the type it got', async (_name, contentType, named) => {
    // Prepare
    const request = bytes('{"subscription":{"planId":"pro"}}', { 'content-type': contentType });

    // Act
    const error = await failure(readJsonBody(request, schema, { maxBytes: 1024 }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error).toMatchObject({ details: { contentType: named, accepted: 'application/json' } });
    expect((error as Error).message).toContain(`got ${named}`);
  });

  it('takes a string body without a Content-Type, which the worker reports as text/plain;charset=UTF-8', async () => {
    // Prepare
    const request = post('{"subscription":{"planId":"pro"}}', {});

    // Act
    const body = await readJsonBody(request, schema, { maxBytes: 1024 });

    // Assess
    expect(request.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(body.subscription.planId).toBe('pro');
  });

  it.each(['', '  \n'])('reads an empty body %j as {} when allowEmpty, and refuses it otherwise', async (text) => {
    // Act
    const allowed = await readJsonBody(bytes(text, {}), schema.partial(), { maxBytes: 1024, allowEmpty: true });
    const refused = await failure(readJsonBody(bytes(text, {}), schema.partial(), { maxBytes: 1024 }));

    // Assess
    expect(allowed).toEqual({ tags: [] });
    expect(refused).toBeInstanceOf(ValidationError);
  });
});
