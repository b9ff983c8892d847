import type { SchoolRow } from '../../schools/registry';

/** The school's own pages, as links under its name; the current one is marked for screen readers too. */
export function SchoolNav({ school, current }: { school: SchoolRow; current: 'day' | 'roster' | 'messages' }) {
  const base = `/admin/schools/${school.id}`;
  const links = [
    { key: 'day', href: base, label: '欠席・遅刻・早退連絡' },
    { key: 'roster', href: `${base}/roster`, label: '名簿と登録コード' },
    { key: 'messages', href: `${base}/messages`, label: '学校からの配信' },
  ] as const;
  return (
    <nav class="subnav" aria-label={`${school.name}のページ`}>
      <ul>
        {links.map((l) => (
          <li>
            <a href={l.href} aria-current={l.key === current ? 'page' : undefined}>
              {l.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
