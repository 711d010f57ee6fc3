import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HANG, json, type EmulatorRequest, type HandlerResult } from './http';
import type { FaultLogEntry } from './model';

const httpFaultSchema = z
  .object({
    kind: z.literal('http'),
    /** Method to match (any when absent). */
    method: z.string().optional(),
    /** Path pattern; `*` matches any characters (including `/`). Default: every path. */
    path: z.string().default('*'),
    /** Added latency before answering (or before the injected status). */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** Answer with this status instead of the real response (429, 500, 503 …). */
    status: z.number().int().min(400).max(599).optional(),
    /** Retry-After seconds on an injected status (default 1 for 429/503). */
    retryAfterSeconds: z.number().int().min(0).optional(),
    /** Never answer. */
    hang: z.boolean().optional(),
    /** How many matching requests the rule affects (unlimited when absent). */
    times: z.number().int().min(1).optional(),
  })
  .refine((rule) => rule.latencyMs !== undefined || rule.status !== undefined || rule.hang === true, {
    message: 'an http fault needs latencyMs, status or hang',
  });

const webhookFaultSchema = z.object({
  kind: z.literal('webhook'),
  /**
   * drop: never sent; duplicate: sent twice; hold: kept back and sent after the next delivery
   * (or after holdMs); fail: sent, but the first `failures` answers are treated as failures (retried).
   */
  effect: z.enum(['drop', 'duplicate', 'hold', 'fail']),
  /** Webhook action to match (any when absent). */
  action: z.string().optional(),
  failures: z.number().int().min(1).max(100).default(1),
  holdMs: z.number().int().min(0).max(600_000).default(5_000),
  times: z.number().int().min(1).optional(),
});

export const faultRuleSchema = z.discriminatedUnion('kind', [httpFaultSchema, webhookFaultSchema]);
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type HttpFault = z.infer<typeof httpFaultSchema> & { id: string; applied: number };
export type WebhookFault = z.infer<typeof webhookFaultSchema> & { id: string; applied: number };
export type FaultRule = HttpFault | WebhookFault;

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'i');
}

export interface Sleeper {
  sleep(ms: number): Promise<void>;
}

/** The fault rules in force, with the log of what they did. */
export class FaultInjector {
  private rules: FaultRule[] = [];

  constructor(
    private readonly log: () => FaultLogEntry[],
    private readonly now: () => string,
    private readonly sleeper: Sleeper,
  ) {}

  add(input: z.infer<typeof faultRuleSchema>): FaultRule {
    const rule: FaultRule = { ...input, id: randomUUID(), applied: 0 };
    this.rules.push(rule);
    return rule;
  }

  list(): readonly FaultRule[] {
    return this.rules;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  private take<T extends FaultRule>(matches: (rule: FaultRule) => rule is T): T | undefined {
    const rule = this.rules.find(matches);
    if (!rule) return undefined;
    rule.applied += 1;
    if (rule.times !== undefined && rule.applied >= rule.times) this.remove(rule.id);
    return rule;
  }

  /** Applies the first matching HTTP rule: latency, then hang or an injected status. Undefined = carry on. */
  async applyHttp(req: EmulatorRequest): Promise<HandlerResult | undefined> {
    const rule = this.take((candidate): candidate is HttpFault =>
      candidate.kind === 'http' &&
      (candidate.method === undefined || candidate.method.toUpperCase() === req.method) &&
      patternToRegExp(candidate.path).test(req.url.pathname),
    );
    if (!rule) return undefined;
    const effect = rule.hang === true ? 'hang' : rule.status !== undefined ? `status ${rule.status}` : 'latency';
    this.log().push({
      ruleId: rule.id,
      at: this.now(),
      target: 'http',
      effect,
      method: req.method,
      path: req.url.pathname,
      ...(rule.latencyMs === undefined ? {} : { latencyMs: rule.latencyMs }),
      ...(rule.status === undefined ? {} : { status: rule.status }),
    });
    if (rule.latencyMs !== undefined && rule.latencyMs > 0) await this.sleeper.sleep(rule.latencyMs);
    if (rule.hang === true) return HANG;
    if (rule.status === undefined) return undefined;
    const retryAfter = rule.retryAfterSeconds ?? (rule.status === 429 || rule.status === 503 ? 1 : undefined);
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
    const code = rule.status === 429 ? 'TooManyRequests' : rule.status >= 500 ? 'InternalServerError' : 'InjectedFault';
    return json(rule.status, { error: { code, message: `Fault injected by the emulator (rule ${rule.id}).` } }, headers);
  }

  /** The webhook rule that applies to a new delivery of `action`, if any (recorded in the log). */
  takeWebhook(action: string): WebhookFault | undefined {
    const rule = this.take((candidate): candidate is WebhookFault =>
      candidate.kind === 'webhook' && (candidate.action === undefined || candidate.action === action),
    );
    if (rule) this.log().push({ ruleId: rule.id, at: this.now(), target: 'webhook', effect: rule.effect });
    return rule;
  }
}
