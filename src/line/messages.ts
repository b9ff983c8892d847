import type { messagingApi } from '@line/bot-sdk';

/** A message we send a resident (text, template, …), as LINE's SDK types it; one name for every capability. */
export type Msg = messagingApi.Message;
