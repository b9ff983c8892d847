/**
 * Image bytes built in the test, so what is in them is plain to see: a JPEG whose EXIF
 * carries GPS coordinates, a camera model and an orientation, plus XMP and a comment; a
 * PNG with text chunks. They are not meant to be decoded, only parsed segment by segment.
 */
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const be16 = (n: number) => [n >> 8, n & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

function segment(marker: number, payload: number[]): number[] {
  return [0xff, marker, ...be16(payload.length + 2), ...payload];
}

/** A big-endian TIFF: IFD0 { Make, Orientation, GPSInfo → GPS IFD { N, 34°39'58", E, 133°55'3" } }. */
export function exifWithGps(orientation = 6): number[] {
  const make = ascii('SecretPhone\0'); // 12 bytes
  // Layout: header 8 | IFD0 at 8: 2 + 3*12 + 4 = 42 → 50 | make at 50 (12) → 62 | GPS IFD at 62: 2 + 4*12 + 4 = 54 → 116 | rationals at 116
  const ifd0 = [
    ...be16(3),
    ...[0x01, 0x0f, 0, 2, ...be32(12), ...be32(50)], // Make, ASCII, 12, offset 50
    ...[0x01, 0x12, 0, 3, ...be32(1), ...be16(orientation), 0, 0], // Orientation, SHORT
    ...[0x88, 0x25, 0, 4, ...be32(1), ...be32(62)], // GPSInfo IFD pointer
    ...be32(0),
  ];
  const rational = (n: number, d: number) => [...be32(n), ...be32(d)];
  const gps = [
    ...be16(4),
    ...[0x00, 0x01, 0, 2, ...be32(2), ...ascii('N'), 0, 0, 0], // GPSLatitudeRef
    ...[0x00, 0x02, 0, 5, ...be32(3), ...be32(116)], // GPSLatitude
    ...[0x00, 0x03, 0, 2, ...be32(2), ...ascii('E'), 0, 0, 0], // GPSLongitudeRef
    ...[0x00, 0x04, 0, 5, ...be32(3), ...be32(140)], // GPSLongitude
    ...be32(0),
  ];
  const values = [
    ...rational(34, 1),
    ...rational(39, 1),
    ...rational(5800, 100),
    ...rational(133, 1),
    ...rational(55, 1),
    ...rational(300, 100),
  ];
  return [...ascii('Exif\0\0'), ...ascii('MM'), ...be16(42), ...be32(8), ...ifd0, ...make, ...gps, ...values];
}

/** The part of the JPEG from the start of scan on: must survive stripping byte for byte. */
export const JPEG_SCAN = [
  ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
  0x12,
  0x34,
  0xff,
  0x00,
  0x56,
  0xff,
  0xd0,
  0x78, // entropy-coded data with a stuffed byte and a restart marker
  0xff,
  0xd9,
];

export function jpegWithGps(orientation = 6): Uint8Array {
  return Uint8Array.from([
    0xff,
    0xd8,
    ...segment(0xe0, [...ascii('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xe1, exifWithGps(orientation)),
    ...segment(0xe1, [
      ...ascii('http://ns.adobe.com/xap/1.0/\0'),
      ...ascii('<x:xmpmeta><exif:GPSLatitude>34,39.97N</exif:GPSLatitude></x:xmpmeta>'),
    ]),
    ...segment(0xed, [...ascii('Photoshop 3.0\0'), ...ascii('8BIM IPTC byline: Taro')]),
    ...segment(0xfe, ascii('taken at 1-2-3 Kita-ku by Taro')),
    ...segment(0xdb, [0, ...Array.from({ length: 64 }, (_, i) => i + 1)]),
    ...segment(0xc0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
    ...JPEG_SCAN,
  ]);
}

function crc32(bytes: number[]): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: number[]): number[] {
  const td = [...ascii(type), ...data];
  return [...be32(data.length), ...td, ...be32(crc32(td))];
}

export function pngWithText(): Uint8Array {
  return Uint8Array.from([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk('IHDR', [...be32(1), ...be32(1), 8, 2, 0, 0, 0]),
    ...chunk('tEXt', [...ascii('Comment\0'), ...ascii('GPS 34.666,133.917 Taro')]),
    ...chunk('eXIf', exifWithGps(1).slice(6)),
    ...chunk('tIME', [0x07, 0xea, 11, 28, 9, 0, 0]),
    ...chunk('sRGB', [0]),
    ...chunk('IDAT', [0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00]),
    ...chunk('IEND', []),
  ]);
}

export function contains(hay: Uint8Array, needle: string | number[]): boolean {
  const n = typeof needle === 'string' ? ascii(needle) : needle;
  outer: for (let i = 0; i + n.length <= hay.length; i++) {
    for (let j = 0; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}
