import type { messagingApi } from '@line/bot-sdk';
import { lineLength, type LineProperty } from '../line/limits';

/**
 * LINE's rules for a rich menu, checked before any call so a mistake in the menu data
 * shows up as a list of plain problems (and in tests), not as LINE's 400 halfway through.
 */

export const LIMITS = {
  minWidth: 800,
  maxWidth: 2500,
  minHeight: 250,
  /** width / height must be at least this. */
  minAspect: 1.45,
  maxAreas: 20,
  maxName: 300,
  maxChatBarText: 14,
  maxLabel: 20,
  maxPostbackData: 300,
  maxDisplayText: 300,
  maxMessageText: 300,
  maxUri: 1000,
  maxImageBytes: 1024 * 1024,
} as const;

/** Lengths as LINE counts each property (src/line/limits.ts): names, chat bar texts and action texts in graphemes. */
const chars = (property: LineProperty, s: string | undefined) => lineLength(property, s ?? '');

type Bounds = Required<messagingApi.RichMenuBounds>;

function overlaps(a: Bounds, b: Bounds): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function actionProblems(action: messagingApi.Action | undefined, at: string): string[] {
  if (!action) return [`${at}: has no action`];
  const out: string[] = [];
  if (chars('action.label', action.label) > LIMITS.maxLabel)
    out.push(`${at}: label is longer than ${LIMITS.maxLabel} characters`);
  switch (action.type) {
    case 'postback': {
      const a = action as messagingApi.PostbackAction;
      const n = chars('action.data', a.data);
      if (n < 1 || n > LIMITS.maxPostbackData)
        out.push(`${at}: postback data must be 1–${LIMITS.maxPostbackData} characters`);
      if (chars('action.displayText', a.displayText) > LIMITS.maxDisplayText)
        out.push(`${at}: displayText is longer than ${LIMITS.maxDisplayText} characters`);
      break;
    }
    case 'uri': {
      const uri = (action as messagingApi.URIAction).uri ?? '';
      if (chars('action.uri', uri) < 1 || chars('action.uri', uri) > LIMITS.maxUri)
        out.push(`${at}: uri must be 1–${LIMITS.maxUri} characters`);
      // LINE takes http, https, line and tel; anything else would fail on the resident's phone.
      else if (!/^(https?:\/\/|line:\/\/|tel:)/.test(uri))
        out.push(`${at}: uri must start with https://, http://, line:// or tel:`);
      break;
    }
    case 'message': {
      const n = chars('action.text', (action as messagingApi.MessageAction).text);
      if (n < 1 || n > LIMITS.maxMessageText)
        out.push(`${at}: message text must be 1–${LIMITS.maxMessageText} characters`);
      break;
    }
    case 'richmenuswitch':
    case 'datetimepicker':
      break;
    default:
      // camera, cameraRoll, location and clipboard exist only in quick replies or templates.
      out.push(`${at}: action type ${String(action.type)} is not allowed in a rich menu`);
  }
  return out;
}

/** Every problem of a rich menu object; empty when LINE would accept it. */
export function richMenuProblems(menu: messagingApi.RichMenuRequest): string[] {
  const out: string[] = [];
  const width = menu.size?.width ?? 0;
  const height = menu.size?.height ?? 0;
  if (!Number.isInteger(width) || width < LIMITS.minWidth || width > LIMITS.maxWidth) {
    out.push(`size.width must be an integer from ${LIMITS.minWidth} to ${LIMITS.maxWidth}`);
  }
  if (!Number.isInteger(height) || height < LIMITS.minHeight)
    out.push(`size.height must be an integer of at least ${LIMITS.minHeight}`);
  if (height > 0 && width / height < LIMITS.minAspect)
    out.push(`size: width / height must be at least ${LIMITS.minAspect}`);
  const name = chars('richMenu.name', menu.name);
  if (name < 1 || name > LIMITS.maxName) out.push(`name must be 1–${LIMITS.maxName} characters`);
  const bar = chars('richMenu.chatBarText', menu.chatBarText);
  if (bar < 1 || bar > LIMITS.maxChatBarText) out.push(`chatBarText must be 1–${LIMITS.maxChatBarText} characters`);
  if (typeof menu.selected !== 'boolean') out.push('selected must be true or false');

  const areas = menu.areas ?? [];
  if (areas.length < 1 || areas.length > LIMITS.maxAreas)
    out.push(`areas: must be 1–${LIMITS.maxAreas}, got ${areas.length}`);
  const placed: { at: string; b: Bounds }[] = [];
  areas.forEach((area, i) => {
    const at = `areas[${i}]`;
    const b = area.bounds;
    const nums = b && [b.x, b.y, b.width, b.height];
    if (!b || !nums!.every((n) => Number.isInteger(n))) {
      out.push(`${at}: bounds must be integers x, y, width, height`);
    } else {
      const bb = b as Bounds;
      if (bb.x < 0 || bb.y < 0 || bb.width < 1 || bb.height < 1)
        out.push(`${at}: bounds must start at or after 0,0 and be at least 1×1`);
      else if (bb.x + bb.width > width || bb.y + bb.height > height)
        out.push(`${at}: bounds reach outside the ${width}×${height} image`);
      // LINE would take overlapping areas, but then one tap could mean two things.
      for (const p of placed) if (overlaps(p.b, bb)) out.push(`${at}: overlaps ${p.at}`);
      placed.push({ at, b: bb });
    }
    out.push(...actionProblems(area.action, at));
  });
  return out;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return null;
  // IHDR is always the first chunk: length (4) and type (4) after the signature, then width and height.
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The image must be a PNG of exactly the menu's size and at most 1 MB. */
export function imageProblems(bytes: Uint8Array, size: { width?: number; height?: number } | undefined): string[] {
  const out: string[] = [];
  const got = pngSize(bytes);
  if (!got) out.push('image is not a PNG');
  else if (got.width !== size?.width || got.height !== size?.height) {
    out.push(`image is ${got.width}×${got.height}, the menu is ${size?.width}×${size?.height}`);
  }
  if (bytes.length > LIMITS.maxImageBytes)
    out.push(`image is ${bytes.length} bytes, more than ${LIMITS.maxImageBytes}`);
  return out;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * WCAG contrast ratio of two `#rrggbb` colours. A tile's captions are small on a phone
 * (72 px of 2,500 is about 12 px on screen), so white text needs 4.5:1 on its tile.
 */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
