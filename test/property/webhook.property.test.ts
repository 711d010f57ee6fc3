import fc from 'fast-check';
import { startWebhookTokenTwin, type WebhookTokenTwin } from '../fakes/webhookTokens';
import { NOW, webhookBody, webhookRig } from '../unit/webhook/webhookRig';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/);

/** Bodies from plausible to hostile: real shapes with fields mutated, arbitrary JSON, text and bytes. */
const body = fc.oneof(
  fc
    .record(
      {
        id: fc.oneof(identifier, fc.uuid(), fc.jsonValue()),
        subscriptionId: fc.oneof(fc.uuid(), fc.jsonValue()),
        action: fc.oneof(fc.constantFrom('ChangePlan', 'ChangeQuantity', 'Suspend', 'Reinstate', 'Renew', 'Unsubscribe', 'Subscribe', 'Transfer'), fc.string(), fc.jsonValue()),
        planId: fc.jsonValue(),
        quantity: fc.oneof(fc.integer(), fc.string(), fc.double(), fc.constant(null)),
        timeStamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
        status: fc.jsonValue(),
        subscription: fc.jsonValue(),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((fields) => encode(JSON.stringify({ ...webhookBody(), ...fields }))),
  fc.jsonValue().map((value) => encode(JSON.stringify(value))),
  fc.string({ maxLength: 300 }).map(encode),
  fc.uint8Array({ maxLength: 300 }),
);

describe('webhook properties', () => {
  let twin: WebhookTokenTwin;
  let authorization: string;

  beforeAll(async () => {
    twin = await startWebhookTokenTwin();
    authorization = await twin.authorization({}, { now: NOW });
  });

  afterAll(() => twin.close());

  it('answers 200 or a 4xx, never a 5xx and never a crash, to 10,000 arbitrary bodies with a valid token', async () => {
    // Prepare (one rig: repeats of an id meet the ledger, as real retries do)
    const rig = webhookRig(twin, { maxBodyBytes: 4_096 });

    await fc.assert(
      fc.asyncProperty(body, async (bytes) => {
        // Act
        const response = await rig.post(bytes, { authorization });

        // Assess
        expect([200, 400, 413]).toContain(response.status);
        if (response.status === 200) {
          const receipt = (await response.json()) as { operationId: string };
          expect((await rig.operations.get(receipt.operationId))?.value.state).toBe('Received');
        }
      }),
      { numRuns: 10_000 },
    );
    expect(rig.messages().length).toBeGreaterThan(0);
  });
});
