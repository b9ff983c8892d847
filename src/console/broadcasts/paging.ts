/**
 * The cursor of the 配信 lists: the last row's `createdAt` and id (the lists' order), as one
 * query parameter `after=<ms>.<id>`. Anything else reads as the first page.
 */
export function readCursor(s: string | undefined): { createdAt: number; id: string } | undefined {
  const m = s ? /^(\d{1,15})\.([0-9a-f-]{36})$/.exec(s) : null;
  return m ? { createdAt: Number(m[1]), id: m[2]! } : undefined;
}

export const writeCursor = (row: { createdAt: number; id: string }) => `${row.createdAt}.${row.id}`;

export const PAGE_SIZE = 20;
