import { messagingApi, HTTPFetchError } from '@line/bot-sdk';
import { config } from '../config';

export class MissingSecretError extends Error {
  constructor(readonly secret: string) {
    super(`${secret} is not configured`);
  }
}

export interface LineClients {
  api: messagingApi.MessagingApiClient;
  blob: messagingApi.MessagingApiBlobClient;
}

// Keyed by the env object, like config(): the clients hold no per-request state, so one pair serves every event.
const built = new WeakMap<Env, LineClients>();

/** The one place LINE clients are built, with base URLs from the configuration (the fake LINE in dev and tests). */
export function lineClients(env: Env): LineClients {
  const token = env.LINE_CHANNEL_ACCESS_TOKEN;
  if (!token) throw new MissingSecretError('LINE_CHANNEL_ACCESS_TOKEN');
  let clients = built.get(env);
  if (!clients) {
    const c = config(env);
    clients = {
      api: new messagingApi.MessagingApiClient({ channelAccessToken: token, baseURL: c.lineApiBaseUrl }),
      blob: new messagingApi.MessagingApiBlobClient({ channelAccessToken: token, baseURL: c.lineDataApiBaseUrl }),
    };
    built.set(env, clients);
  }
  return clients;
}

export class TimeoutError extends Error {}

/** The SDK's fetch has no timeout; a call that hangs is treated like a 5xx and retried with the same key. */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`LINE API did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

export type LineErrorKind = 'accepted' | 'retry' | 'rate_limited' | 'rejected';

/**
 * How to treat a failed LINE call. 409 on a retry key means LINE already accepted the
 * request; 5xx and timeouts are retried with the same key; 429 is retried after a pause;
 * any other 4xx will fail again and is not retried.
 */
export function classifyLineError(err: unknown): { kind: LineErrorKind; status?: number; message: string } {
  if (err instanceof HTTPFetchError) {
    const message = lineErrorMessage(err.body) ?? err.message;
    if (err.status === 409) return { kind: 'accepted', status: 409, message };
    if (err.status === 429) return { kind: 'rate_limited', status: 429, message };
    if (err.status >= 500) return { kind: 'retry', status: err.status, message };
    return { kind: 'rejected', status: err.status, message };
  }
  if (err instanceof TimeoutError) return { kind: 'retry', message: err.message };
  // A network error (fetch threw) is as unknown as a timeout: retry with the same key.
  return { kind: 'retry', message: err instanceof Error ? err.message : String(err) };
}

function lineErrorMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { message?: string; details?: { message?: string; property?: string }[] };
    if (!parsed.message) return null;
    const details = (parsed.details ?? []).map((d) => `${d.property ?? ''}: ${d.message ?? ''}`).join('; ');
    return details ? `${parsed.message} (${details})` : parsed.message;
  } catch {
    return body ? body.slice(0, 300) : null;
  }
}
