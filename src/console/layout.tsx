import type { FC, PropsWithChildren } from 'hono/jsx';
import { hasRole, type StaffPrincipal } from '../admin/auth';
import type { StaffRole } from '../db/schema';
import type { ConsoleContext } from './env';
import type { ConsoleSession } from './session';

/**
 * The navigation, in the order the issue gives; an entry shows only to staff holding one of its
 * roles (admin: all), and only once its pages exist (`built`): a link to nothing helps nobody.
 */
export const NAV: readonly { href: string; label: string; roles: readonly StaffRole[]; built: boolean }[] = [
  { href: '/admin/reports', label: '通報', roles: ['report_manager'], built: true },
  {
    href: '/admin/broadcasts',
    label: '配信',
    roles: ['broadcaster', 'approver', 'school_staff', 'community_leader'],
    built: true,
  },
  { href: '/admin/approvals', label: '承認待ち', roles: ['approver', 'school_staff'], built: true },
  { href: '/admin/schools', label: '学校', roles: ['school_staff'], built: true },
  { href: '/admin/communities', label: '町内会', roles: ['community_leader'], built: true },
  { href: '/admin/staff', label: '職員', roles: ['admin'], built: true },
  { href: '/admin/audit', label: '監査ログ', roles: ['admin'], built: true },
];

/** The hidden field every form carries: the session's CSRF token (`c.var.session.csrf`), checked before anything else. */
export const CsrfField: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

interface LayoutProps {
  c: ConsoleContext;
  title: string;
  /** Same-origin scripts this page adds (progressive enhancement: the page works without them). */
  scripts?: string[];
}

/** The frame of every page: skip link, navigation for this staff member's roles, the title, the content. */
export const Layout: FC<PropsWithChildren<LayoutProps>> = ({ c, title, scripts = [], children }) => {
  const principal = c.get('staff') as StaffPrincipal | undefined;
  const session = c.get('session') as ConsoleSession | undefined;
  const path = c.req.path;
  return (
    <html lang="ja">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} | 岡山市公式LINE 職員コンソール`}</title>
        <link rel="stylesheet" href="/admin/assets/console.css" />
        {scripts.map((src) => (
          <script src={src} defer nonce={c.get('nonce')} />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          本文へ移動
        </a>
        <header class="top">
          <a class="brand" href="/admin">
            岡山市公式LINE 職員コンソール
          </a>
          {principal && session ? (
            <nav aria-label="メインメニュー">
              <ul>
                {NAV.filter((n) => n.built && hasRole(principal, n.roles)).map((n) => (
                  <li>
                    <a href={n.href} aria-current={path.startsWith(n.href) ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
                <li>
                  <form method="post" action="/admin/logout" class="inline">
                    <CsrfField token={session.csrf} />
                    <button type="submit" class="link">
                      ログアウト
                    </button>
                  </form>
                </li>
              </ul>
              <p class="who">{principal.name}</p>
            </nav>
          ) : null}
        </header>
        <main id="main">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
};

/** An error page in the frame (403, 404, 409 …): what happened, in words, and a way back. */
export function errorPage(c: ConsoleContext, status: number, message: string) {
  const title = ERROR_TITLES[status] ?? 'エラー';
  return (
    <Layout c={c} title={title}>
      <p role="alert">{message}</p>
      <p>
        <a href="/admin">ダッシュボードへ戻る</a>
      </p>
    </Layout>
  );
}

const ERROR_TITLES: Record<number, string> = {
  400: '入力に誤りがあります',
  403: '権限がありません',
  404: 'ページが見つかりません',
  409: '操作できません',
  413: 'ファイルが大きすぎます',
  429: 'しばらくお待ちください',
  500: 'エラーが発生しました',
  503: '設定が不足しています',
};
