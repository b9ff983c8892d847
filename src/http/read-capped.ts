import { concatBytes } from './bytes';

/**
 * What to do with the rest of a body once it is known to be too big. A response from
 * elsewhere can be cancelled. A request body must be read to its end: cancelling it
 * half-read makes the local runtime (wrangler dev) restart the worker, failing the next
 * request; the platform's own request-size limit bounds what reading on can cost.
 */
export type Excess = 'cancel' | 'drain';

/**
 * Reads a body once, giving up (null) as soon as it passes `limit` bytes. A declared
 * content-length over the limit is refused without keeping anything; since it may be
 * absent or wrong, the count while reading is what holds.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  headers: Headers,
  limit: number,
  excess: Excess = 'cancel',
): Promise<Uint8Array | null> {
  const declared = Number(headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    if (body) await discard(body.getReader(), excess);
    return null;
  }
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await discard(reader, excess);
      return null;
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, excess: Excess): Promise<void> {
  if (excess === 'cancel') return reader.cancel();
  while (!(await reader.read()).done) {
    // nothing kept
  }
}
