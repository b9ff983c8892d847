/**
 * LINE webhook signature: base64(HMAC-SHA256(channel secret, raw body bytes)).
 * Verified with WebCrypto's `verify`, which compares in constant time, so the
 * expected signature is never materialised and compared byte by byte in JS.
 */
import { hmacSha256 } from '../http/digest';

const encoder = new TextEncoder();

// One channel secret per deployment: its key is imported once per isolate, not per webhook.
const keys = new Map<string, Promise<CryptoKey>>();

function verifyKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    keys.set(secret, key);
    key.catch(() => keys.delete(secret));
  }
  return key;
}

export async function signBody(secret: string, body: ArrayBuffer | Uint8Array | string): Promise<string> {
  return bytesToBase64(await hmacSha256(secret, body));
}

export async function verifySignature(
  secret: string,
  body: ArrayBuffer | Uint8Array,
  signature: string | null | undefined,
): Promise<boolean> {
  if (!signature) return false;
  const mac = base64ToBytes(signature.trim());
  // An HMAC-SHA256 is 32 bytes; anything else cannot match and is not worth a crypto call.
  if (mac?.length !== 32) return false;
  return crypto.subtle.verify('HMAC', await verifyKey(secret), mac, body);
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array | null {
  try {
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}
