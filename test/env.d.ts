import type { D1Migration } from 'cloudflare:test';

// The worker's `Env` is ambient (worker-configuration.d.ts); tests add the migrations binding.
// `GlobalProps` is what `wrangler types` would write: it types `exports` from cloudflare:workers,
// so `exports.default.fetch` (the worker under test) is a Fetcher.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index');
      durableNamespaces: 'ConversationDO' | 'BroadcastDispatcherDO';
    }
  }
}
