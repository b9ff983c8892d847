/**
 * A short reference to a LINE user for the log, so lines about one resident can be put
 * together without the log holding their user ID: the first 8 hex digits of
 * HMAC-SHA256(channel secret, user ID). Keyed, not a plain hash: anyone holding a list of
 * user IDs could hash them and look for the results in the log; without the secret they cannot.
 */
export async function userRef(secret: string, userId: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(userId)));
  return [...mac.slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
