import { app } from './app';
import { scheduled } from './scheduled';

export { ConversationDO } from './conversation/conversation-do';
export { BroadcastDispatcherDO } from './broadcasts/dispatcher-do';
export { IngressDO } from './ingress/ingress-do';

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
