import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Lang } from '../i18n';
import type { LineEvent } from '../line/events';
import type { Msg } from '../line/messages';
import type { Resident } from '../residents/service';

/** One resident's conversation, kept in their ConversationDO. */
export interface ConversationState {
  /** The service flow the resident is in (report, absence, …), if any. */
  flow?: ActiveFlow;
  /** When the policy §6 answer was last sent; it is sent at most once an hour. */
  lastPolicyAnswerAt?: number;
  /** When this LINE account sent a wrong staff link code (the last hour's), for the guess limit. */
  wrongLinkCodesAt?: number[];
  /** When this resident's association invite codes were refused (the last hour's); 5 lock the code step. */
  wrongInviteCodesAt?: number[];
}

export interface ActiveFlow {
  name: ServiceName;
  step: string;
  data: Record<string, unknown>;
  updatedAt: number;
}

export type ServiceName = 'report' | 'absence' | 'community' | 'settings';

export interface HandleContext {
  env: Env;
  /** The parsed configuration, once per event (flows read it, never `config(env)` again). */
  config: Config;
  db: Db;
  now: number;
  /** The worker's public origin (from the webhook request), for links residents open. */
  origin: string;
  resident: Resident | undefined;
  lang: Lang;
}

export interface HandleResult {
  state: ConversationState;
  messages: Msg[];
}

/**
 * A service conversation. `start` runs once consent is confirmed, at `entry` when the
 * resident asked for a part of the service (「連絡履歴」); `onEvent` gets every message or
 * postback while the flow is active and returns the next state (flow cleared when it ends).
 */
export interface Flow {
  start(ctx: HandleContext, state: ConversationState, entry?: string): Promise<HandleResult>;
  onEvent(ctx: HandleContext, state: ConversationState & { flow: ActiveFlow }, event: LineEvent): Promise<HandleResult>;
  /**
   * Whether the active flow takes this typed text as its own answer, although it is also a
   * word that starts a service (欠席 chosen as the type of an absence notice).
   */
  claimsText?(flow: ActiveFlow, text: string): boolean;
}
