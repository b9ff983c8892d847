import { concatBytes } from './bytes';

/**
 * Reads a body once, giving up (null) as soon as it passes `limit` bytes. A declared
 * content-length over the limit is refused before reading; since it may be absent or
 * wrong, the count while reading is what holds.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  headers: Headers,
  limit: number,
): Promise<Uint8Array | null> {
  const declared = Number(headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await body?.cancel();
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
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return concatBytes(chunks);
}
