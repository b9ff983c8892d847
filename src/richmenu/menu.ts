import type { messagingApi } from '@line/bot-sdk';

/**
 * The residents' rich menu (policy §4.1(2)) as data: one tile per tap area, laid out as a
 * grid. The same tiles draw the image (scripts/make-richmenu-image.ts), so what a resident
 * sees and where they tap cannot drift apart. Change a tile here, then regenerate the image.
 */

export interface Tile {
  /** Big text on the tile; also the action's label (read aloud by screen readers, ≤ 20 characters). */
  label: string;
  /** Small line under the label. */
  caption: string;
  /** Tile background, `#rrggbb`. */
  color: string;
  action: messagingApi.Action;
}

export const CITY_WEBSITE = 'https://www.city.okayama.jp/';
/**
 * Where the アプリ tile leads. The city has not named its apps page yet, so this points at
 * the city's own site (a page of ours would go stale). Replace it when the page is known.
 */
export const CITY_APPS = 'https://www.city.okayama.jp/';

const start = (service: string, label: string): messagingApi.Action => ({
  type: 'postback',
  label,
  data: `action=start&service=${service}`,
  // What appears in the chat as the resident's own words; handle.ts starts the service from the data.
  displayText: label,
});

export const TILES: readonly Tile[] = [
  { label: '通報', caption: '道路・公園の損傷', color: '#c92a2a', action: start('report', '通報') },
  { label: '欠席連絡', caption: '市立小・中学校', color: '#1864ab', action: start('absence', '欠席連絡') },
  { label: '町内会', caption: 'お知らせ', color: '#2f7d32', action: start('community', '町内会') },
  { label: '設定', caption: '区・関心・言語', color: '#5f3dc4', action: start('settings', '設定') },
  {
    label: '市ホームページ',
    caption: 'www.city.okayama.jp',
    color: '#0b7285',
    action: { type: 'uri', label: '市ホームページ', uri: CITY_WEBSITE },
  },
  {
    label: 'アプリ',
    caption: '市の便利なアプリ',
    color: '#a84300',
    action: { type: 'uri', label: 'アプリ', uri: CITY_APPS },
  },
];

export const LAYOUT = { width: 2500, height: 1686, columns: 3, rows: 2 } as const;

/** Splits the image into an even grid, the last column and row taking the remainder pixels. */
export function gridAreas(
  layout: { width: number; height: number; columns: number; rows: number },
  tiles: readonly Tile[],
): messagingApi.RichMenuArea[] {
  const w = Math.floor(layout.width / layout.columns);
  const h = Math.floor(layout.height / layout.rows);
  return tiles.map((tile, i) => {
    const col = i % layout.columns;
    const row = Math.floor(i / layout.columns);
    const x = col * w;
    const y = row * h;
    return {
      bounds: {
        x,
        y,
        width: col === layout.columns - 1 ? layout.width - x : w,
        height: row === layout.rows - 1 ? layout.height - y : h,
      },
      action: tile.action,
    };
  });
}

export const RICH_MENU: messagingApi.RichMenuRequest = {
  size: { width: LAYOUT.width, height: LAYOUT.height },
  // Open by default: the menu is how residents find the services.
  selected: true,
  name: '岡山市公式LINE メインメニュー',
  chatBarText: 'メニュー',
  areas: gridAreas(LAYOUT, TILES),
};
