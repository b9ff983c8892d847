import { concatBytes } from '../http/bytes';

/**
 * What a photo is (sniffed from its bytes, never from a header) and the same photo without
 * its metadata. Residents' phones put GPS coordinates, the device and the time into photos;
 * none of that should reach staff, e-mails or Open311. Pure functions, table-tested in
 * test/report-image.test.ts.
 */

export type ImageType = 'image/jpeg' | 'image/png';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffImage(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'image/png';
  return null;
}

export class ImageFormatError extends Error {}

export function stripMetadata(bytes: Uint8Array): { type: ImageType; bytes: Uint8Array } {
  const type = sniffImage(bytes);
  if (type === 'image/jpeg') return { type, bytes: stripJpeg(bytes) };
  if (type === 'image/png') return { type, bytes: stripPng(bytes) };
  throw new ImageFormatError('not a JPEG or PNG');
}

/* ───────── JPEG ───────── */

/** APPn segments we keep: JFIF (APP0), an ICC colour profile (APP2 `ICC_PROFILE`) and Adobe (APP14, colour transform). */
function keepJpegSegment(marker: number, payload: Uint8Array): boolean {
  if (marker === 0xfe) return false; // COM: free text, may name a person or place
  if (marker < 0xe0 || marker > 0xef) return true; // not APPn: tables, frame headers … the image itself
  if (marker === 0xe0) return startsWith(payload, 'JFIF\0') || startsWith(payload, 'JFXX\0');
  if (marker === 0xe2) return startsWith(payload, 'ICC_PROFILE\0');
  if (marker === 0xee) return startsWith(payload, 'Adobe');
  return false; // APP1 (EXIF, XMP: GPS, device, time), APP13 (IPTC) and the rest
}

/**
 * Copies the segments up to EOI, dropping metadata wherever it sits (before, between
 * or after scans); scans are copied verbatim and nothing after EOI is kept. The EXIF orientation is the one tag worth keeping (without it phone
 * photos show sideways), so it is written back as a minimal EXIF holding that tag alone.
 */
export function stripJpeg(src: Uint8Array): Uint8Array {
  if (src[0] !== 0xff || src[1] !== 0xd8) throw new ImageFormatError('missing JPEG SOI');
  const out: Uint8Array[] = [src.subarray(0, 2)];
  let orientation = 1;
  let pos = 2;
  let wroteOrientation = false;
  while (pos < src.length) {
    if (src[pos] !== 0xff) throw new ImageFormatError(`expected a marker at ${pos}`);
    // Fill bytes (0xFF repeated) may precede a marker.
    let m = pos + 1;
    while (m < src.length && src[m] === 0xff) m++;
    if (m >= src.length) throw new ImageFormatError('truncated JPEG');
    const marker = src[m]!;
    pos = m + 1;
    if (marker === 0xd9) {
      out.push(Uint8Array.of(0xff, 0xd9));
      break;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      out.push(Uint8Array.of(0xff, marker));
      continue;
    }
    if (pos + 2 > src.length) throw new ImageFormatError('truncated JPEG segment length');
    const len = (src[pos]! << 8) | src[pos + 1]!;
    if (len < 2 || pos + len > src.length) throw new ImageFormatError(`bad JPEG segment length at ${pos}`);
    const payload = src.subarray(pos + 2, pos + len);
    if (marker === 0xe1 && startsWith(payload, 'Exif\0\0'))
      orientation = exifOrientation(payload.subarray(6)) ?? orientation;
    if (marker === 0xda) {
      // Start of scan: the orientation goes in before the first one.
      // After JFIF's APP0 when there is one: JFIF wants to be the first segment.
      const at = out[1]?.[1] === 0xe0 ? 2 : 1;
      if (orientation !== 1 && !wroteOrientation) out.splice(at, 0, orientationSegment(orientation));
      wroteOrientation = true;
      // The scan header and its entropy-coded data verbatim; the walk goes on at the next
      // marker, so segments between progressive scans are filtered like the ones before.
      const end = scanEnd(src, pos + len);
      out.push(src.subarray(m - 1, end));
      pos = end;
      continue;
    }
    if (keepJpegSegment(marker, payload)) out.push(src.subarray(m - 1, pos + len));
    pos += len;
  }
  // Nothing after EOI: phones append a second image (MPF) with its own EXIF and GPS, or trailers.
  return concatBytes(out);
}

/** Where entropy-coded data starting at `from` ends: the next marker (not a stuffed 0xFF00 or a restart). */
function scanEnd(src: Uint8Array, from: number): number {
  for (let i = from; i < src.length - 1; i++) {
    if (src[i] !== 0xff) continue;
    let j = i + 1;
    while (j < src.length && src[j] === 0xff) j++;
    const next = src[j];
    if (next === undefined) return src.length;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
      i = j;
      continue;
    }
    return i;
  }
  return src.length;
}

/** Reads tag 0x0112 from IFD0 of a TIFF header (EXIF body after `Exif\0\0`). */
function exifOrientation(tiff: Uint8Array): number | null {
  if (tiff.length < 8) return null;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return null;
  const u16 = (o: number) =>
    o + 2 > tiff.length ? -1 : little ? tiff[o]! | (tiff[o + 1]! << 8) : (tiff[o]! << 8) | tiff[o + 1]!;
  const u32 = (o: number) =>
    o + 4 > tiff.length
      ? -1
      : little
        ? (tiff[o]! | (tiff[o + 1]! << 8) | (tiff[o + 2]! << 16) | (tiff[o + 3]! << 24)) >>> 0
        : ((tiff[o]! << 24) | (tiff[o + 1]! << 16) | (tiff[o + 2]! << 8) | tiff[o + 3]!) >>> 0;
  const ifd = u32(4);
  const count = u16(ifd);
  if (ifd < 0 || count < 0) return null;
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : null;
    }
  }
  return null;
}

/** APP1 `Exif\0\0` + a big-endian TIFF header with one IFD0 entry: Orientation. Nothing else. */
function orientationSegment(orientation: number): Uint8Array {
  const tiff = [
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0,
    0,
    0,
    8,
    0,
    1,
    0x01,
    0x12,
    0,
    3,
    0,
    0,
    0,
    1,
    0,
    orientation,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ];
  const payload = [...ascii('Exif\0\0'), ...tiff];
  const len = payload.length + 2;
  return Uint8Array.from([0xff, 0xe1, len >> 8, len & 0xff, ...payload]);
}

/* ───────── PNG ───────── */

/**
 * Chunks that draw the picture or its colours. Everything else goes: tEXt/zTXt/iTXt
 * (comments, XMP, often GPS), eXIf, tIME and private chunks.
 */
const PNG_KEEP = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'cHRM',
  'gAMA',
  'iCCP',
  'sBIT',
  'sRGB',
  'bKGD',
  'pHYs',
  'acTL',
  'fcTL',
  'fdAT',
]);

export function stripPng(src: Uint8Array): Uint8Array {
  if (!PNG_SIGNATURE.every((b, i) => src[i] === b)) throw new ImageFormatError('missing PNG signature');
  const out: Uint8Array[] = [src.subarray(0, 8)];
  let pos = 8;
  while (pos < src.length) {
    if (pos + 12 > src.length) throw new ImageFormatError('truncated PNG chunk');
    const len = ((src[pos]! << 24) | (src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!) >>> 0;
    const end = pos + 12 + len;
    if (end > src.length) throw new ImageFormatError(`bad PNG chunk length at ${pos}`);
    const type = String.fromCharCode(...src.subarray(pos + 4, pos + 8));
    // Chunks are copied whole, CRC included, so the file stays valid.
    if (PNG_KEEP.has(type)) out.push(src.subarray(pos, end));
    pos = end;
    if (type === 'IEND') break;
  }
  return concatBytes(out);
}

/* ───────── bytes ───────── */

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

function startsWith(bytes: Uint8Array, prefix: string): boolean {
  const p = ascii(prefix);
  return bytes.length >= p.length && p.every((b, i) => bytes[i] === b);
}
