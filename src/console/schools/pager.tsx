/** Previous / next links for a list read whole and shown a page at a time. */
export function Pager({ page, more, base }: { page: number; more: boolean; base: string }) {
  if (page <= 1 && !more) return null;
  const join = base.includes('?') ? '&' : '?';
  return (
    <nav class="pager" aria-label="ページ送り">
      {page > 1 ? <a href={`${base}${join}page=${page - 1}`}>← 前へ</a> : null}
      <span>{page}ページ目</span>
      {more ? <a href={`${base}${join}page=${page + 1}`}>次へ →</a> : null}
    </nav>
  );
}
