import { HttpRequest } from '@azure/functions';
import fc from 'fast-check';
import { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../../shared/errors';
import { readJsonBody } from '../../shared/http/readJsonBody';

const schema = z.object({ planId: z.string().min(1), quantity: z.number().int().positive().optional() });

function post(bytes: Uint8Array): HttpRequest {
  return new HttpRequest({ method: 'POST', url: 'http://localhost/api/x', headers: { 'content-type': 'application/json' }, body: { bytes } });
}

async function outcome(bytes: Uint8Array, maxBytes: number): Promise<unknown> {
  try {
    return { parsed: await readJsonBody(post(bytes), schema, { maxBytes }) };
  } catch (error) {
    return error;
  }
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

const body = fc.oneof(
  fc.jsonValue().map((value) => encode(JSON.stringify(value))),
  fc.record({ planId: fc.string(), quantity: fc.oneof(fc.integer(), fc.double(), fc.string()) }, { requiredKeys: ['planId'] }).map((value) => encode(JSON.stringify(value))),
  fc.string().map(encode),
  fc.uint8Array({ maxLength: 200 }),
);

describe('readJsonBody properties', () => {
  it('either returns what the schema accepts or throws one of our client errors, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.integer({ min: 1, max: 300 }), async (bytes, maxBytes) => {
        // Prepare (arbitrary bytes and limit)

        // Act
        const result = await outcome(bytes, maxBytes);

        // Assess
        if (result instanceof PayloadTooLargeError) expect(bytes.byteLength).toBeGreaterThan(maxBytes);
        else if (result instanceof ValidationError) expect(result.issues.length).toBeGreaterThan(0);
        else expect(schema.safeParse((result as { parsed: unknown }).parsed).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a body as too large exactly when it is over the limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.integer({ min: 1, max: 120 }), async (planId, maxBytes) => {
        // Prepare
        const bytes = encode(JSON.stringify({ planId }));

        // Act
        const result = await outcome(bytes, maxBytes);

        // Assess
        expect(result instanceof PayloadTooLargeError).toBe(bytes.byteLength > maxBytes);
      }),
    );
  });
});
