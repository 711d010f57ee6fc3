import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The webhook URL must be http(s) on a loopback host: the emulator never calls anything else. */
export function checkLoopbackUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`webhookUrl '${value}' is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('webhookUrl must use http or https.');
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new Error(`webhookUrl must point to a loopback host (127.0.0.1, localhost, [::1]), not ${url.hostname}.`);
  return url.toString();
}

export function checkHttpUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} '${value}' is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must use http or https.`);
  return value;
}

/** PUT /control/config: every field optional; `null` clears a URL. */
export const configUpdateSchema = z
  .object({
    webhookUrl: z.string().nullable().optional(),
    landingPageUrl: z.string().nullable().optional(),
    ackWindowMs: z.number().int().min(0).max(86_400_000).optional(),
    tokenVersion: z.enum(['v1', 'v2']).optional(),
    pageSize: z.number().int().min(1).max(1000).optional(),
    operationDelayMs: z.number().int().min(0).max(86_400_000).optional(),
    subscribeWebhook: z.boolean().optional(),
  })
  .strict();
export type ConfigUpdate = z.infer<typeof configUpdateSchema>;
