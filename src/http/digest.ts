/** SHA-256 and HMAC-SHA256 through WebCrypto, and hex: what tokens, codes and references are stored or logged as. */

const encoder = new TextEncoder();

export function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** The lowercase hex SHA-256 of `text`: how a secret shown once (a token, a code) is kept. */
export async function sha256Hex(text: string): Promise<string> {
  return hex(await sha256(text));
}

export async function hmacSha256(secret: string, data: string | ArrayBuffer | Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, bytes));
}
