/**
 * LINE webhook signature: base64(HMAC-SHA256(channel secret, raw body bytes)).
 * Verified with WebCrypto's `verify`, which compares in constant time, so the
 * expected signature is never materialised and compared byte by byte in JS.
 */
const encoder = new TextEncoder();

async function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

export async function signBody(secret: string, body: ArrayBuffer | Uint8Array | string): Promise<string> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), bytes);
  return bytesToBase64(new Uint8Array(mac));
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
  return crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), mac, body);
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
