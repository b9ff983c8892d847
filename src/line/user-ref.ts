import { hex, hmacSha256 } from '../http/digest';

/**
 * A short reference to a LINE user for the log, so lines about one resident can be put
 * together without the log holding their user ID: the first 8 hex digits of
 * HMAC-SHA256(channel secret, user ID). Keyed, not a plain hash: anyone holding a list of
 * user IDs could hash them and look for the results in the log; without the secret they cannot.
 */
export async function userRef(secret: string, userId: string): Promise<string> {
  return hex((await hmacSha256(secret, userId)).slice(0, 4));
}
