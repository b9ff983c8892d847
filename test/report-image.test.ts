import { describe, expect, it } from 'vitest';
import { ImageFormatError, sniffImage, stripJpeg, stripMetadata, stripPng } from '../src/reports/image';
import { contains, JPEG_SCAN, jpegWithGps, pngWithText } from './helpers/images';

describe('sniffing the type from the bytes', () => {
  it.each([
    ['JPEG', [0xff, 0xd8, 0xff, 0xe0], 'image/jpeg'],
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0], 'image/png'],
    ['GIF', [...'GIF89a'].map((c) => c.charCodeAt(0)), null],
    ['WebP', [...'RIFF....WEBP'].map((c) => c.charCodeAt(0)), null],
    ['HEIC', [0, 0, 0, 0x18, ...'ftypheic'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)), null],
    ['text', [...'hello'].map((c) => c.charCodeAt(0)), null],
    ['two JPEG bytes only', [0xff, 0xd8], null],
    ['empty', [], null],
  ])('%s → %s', (_n, bytes, type) => expect(sniffImage(Uint8Array.from(bytes as number[]))).toBe(type));
});

describe('JPEG: EXIF, GPS, XMP, IPTC and comments removed', () => {
  const src = jpegWithGps(6);
  const out = stripJpeg(src);

  it('the fixture does carry the metadata to begin with', () => {
    expect(contains(src, 'SecretPhone')).toBe(true);
    expect(contains(src, [0x88, 0x25])).toBe(true); // GPSInfo tag
    expect(contains(src, 'GPSLatitude')).toBe(true);
    expect(contains(src, 'Taro')).toBe(true);
  });

  it.each([
    ['the camera model', 'SecretPhone'],
    ['the GPS IFD pointer', [0x88, 0x25]],
    ['the GPS latitude rational 58.00″', [0, 0, 0x16, 0xa8, 0, 0, 0, 100]],
    ['XMP', 'http://ns.adobe.com/xap'],
    ['XMP GPS', 'GPSLatitude'],
    ['IPTC (APP13)', 'Photoshop 3.0'],
    ['the comment and a name', 'Taro'],
  ])('%s is gone', (_n, needle) => expect(contains(out, needle)).toBe(false));

  it('keeps JFIF first, and the image data from the scan on byte for byte', () => {
    expect([...out.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
    expect([...out.subarray(out.length - JPEG_SCAN.length)]).toEqual(JPEG_SCAN);
    expect(contains(out, [0xff, 0xdb])).toBe(true);
    expect(contains(out, [0xff, 0xc0])).toBe(true);
  });

  it('writes the orientation back as the only EXIF tag, so phone photos stay upright', () => {
    expect(
      contains(
        out,
        [...'Exif'].map((c) => c.charCodeAt(0)),
      ),
    ).toBe(true);
    expect(contains(out, [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6])).toBe(true);
  });

  it('writes no EXIF at all when the orientation is the default', () => {
    expect(contains(stripJpeg(jpegWithGps(1)), 'Exif')).toBe(false);
  });

  it('is idempotent', () => {
    expect([...stripJpeg(out)]).toEqual([...out]);
  });

  // Phones append more after the picture: an MPF second image (a preview, a depth map) with
  // its own EXIF and GPS, or a vendor trailer; progressive files have segments between scans.
  const tail = (marker: number, text: string) => {
    const payload = [...text].map((c) => c.charCodeAt(0));
    return [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  };
  const secondImage = Uint8Array.from([...jpegWithGps(6)]);
  const progressive = Uint8Array.from([
    ...src.subarray(0, src.length - 2), // up to the first scan's data, without its EOI
    ...tail(0xfe, 'between scans: Taro, 1-2-3 Kita-ku'),
    ...tail(0xe1, 'http://ns.adobe.com/xap/1.0/\0<exif:GPSLatitude>34,39.97N</exif:GPSLatitude>'),
    0xff,
    0xc4,
    0x00,
    0x05,
    0x10,
    0x01,
    0x00, // a DHT for the next scan
    0xff,
    0xda,
    0x00,
    0x08,
    0x01,
    0x01,
    0x00,
    0x01,
    0x3f,
    0x00,
    0x9a,
    0xbc,
    0xff,
    0xd9,
  ]);

  it.each([
    ['an MPF second image with its own EXIF and GPS', Uint8Array.from([...src, ...secondImage])],
    [
      'a vendor trailer',
      Uint8Array.from([...src, ...[...'SEFHGPS 34.666,133.917 SecretPhone'].map((c) => c.charCodeAt(0))]),
    ],
    ['metadata between the scans of a progressive JPEG', progressive],
  ])('drops %s', (_n, withMore) => {
    expect(contains(withMore, 'SecretPhone') || contains(withMore, 'Taro')).toBe(true);
    const clean = stripJpeg(withMore);
    for (const needle of ['SecretPhone', 'GPSLatitude', 'GPS 34', 'Taro']) expect(contains(clean, needle)).toBe(false);
    expect(contains(clean, [0x88, 0x25])).toBe(false);
    expect([...clean.subarray(clean.length - 2)]).toEqual([0xff, 0xd9]);
  });

  it('keeps every scan of a progressive JPEG and the tables between them', () => {
    const clean = stripJpeg(progressive);
    expect(contains(clean, [0xff, 0xc4, 0x00, 0x05, 0x10, 0x01, 0x00])).toBe(true);
    expect(contains(clean, [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x00, 0x9a, 0xbc, 0xff, 0xd9])).toBe(
      true,
    );
    expect(contains(clean, JPEG_SCAN.slice(0, -2))).toBe(true);
  });

  it.each([
    ['no SOI', Uint8Array.from([0x00, 0x01])],
    ['a segment running past the end', Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0x10, 0x00, 0x00])],
    ['garbage between segments', Uint8Array.from([0xff, 0xd8, 0x00, 0x00])],
  ])('refuses a broken JPEG: %s', (_n, bytes) => expect(() => stripJpeg(bytes)).toThrow(ImageFormatError));
});

describe('PNG: text, eXIf and time chunks removed', () => {
  const src = pngWithText();
  const out = stripPng(src);
  it.each(['tEXt', 'eXIf', 'tIME', 'Taro', 'SecretPhone'])('%s is gone', (needle) => {
    expect(contains(src, needle)).toBe(true);
    expect(contains(out, needle)).toBe(false);
  });
  it.each(['IHDR', 'sRGB', 'IDAT', 'IEND'])('%s stays', (needle) => expect(contains(out, needle)).toBe(true));
  it('refuses a truncated PNG', () => expect(() => stripPng(src.subarray(0, 20))).toThrow(ImageFormatError));
});

describe('stripMetadata', () => {
  it('refuses what is neither JPEG nor PNG', () => {
    expect(() => stripMetadata(Uint8Array.from([...'GIF89a'].map((c) => c.charCodeAt(0))))).toThrow(ImageFormatError);
  });
  it('names the type it found', () => {
    expect(stripMetadata(jpegWithGps()).type).toBe('image/jpeg');
    expect(stripMetadata(pngWithText()).type).toBe('image/png');
  });
});
