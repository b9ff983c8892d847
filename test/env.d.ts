import type { D1Migration } from 'cloudflare:test';

// The worker's `Env` is ambient (worker-configuration.d.ts); tests add the migrations binding.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
