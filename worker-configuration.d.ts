// The worker's bindings and vars, in the shape `wrangler types` writes: an ambient `Env`, so no
// module of src/ imports the Durable Object classes for their types (that tied the tree into one
// import circle). Kept by hand for its comments; names match wrangler.toml and .dev.vars.example.
// Defaults and parsing live in src/config.ts.

declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    PHOTOS: R2Bucket;
    CONVERSATION: DurableObjectNamespace<import('./src/conversation/conversation-do').ConversationDO>;
    /** The ingress shards (src/ingress/): the webhook's events wait here until their resident's object has them. */
    INGRESS: DurableObjectNamespace<import('./src/ingress/ingress-do').IngressDO>;
    BROADCAST_DISPATCHER: DurableObjectNamespace<import('./src/broadcasts/dispatcher-do').BroadcastDispatcherDO>;
    /** Cloudflare Email (send_email binding): each new damage report goes to its department. */
    REPORT_MAIL?: SendEmail;

    /** Secrets: absent until `wrangler secret put`; each door answers 503 without the one it needs. */
    LINE_CHANNEL_SECRET?: string;
    LINE_CHANNEL_ACCESS_TOKEN?: string;
    ADMIN_BOOTSTRAP_TOKEN?: string;

    /** `shards`: the webhook hands events to the ingress shards (src/ingress/); otherwise straight to each resident. */
    WEBHOOK_INGRESS?: string;
    LINE_API_BASE_URL?: string;
    LINE_DATA_API_BASE_URL?: string;
    CONTACT_EMAIL?: string;
    TERMS_VERSION?: string;
    /** Sender of department report e-mails (must be on the zone with Email Routing). */
    REPORT_MAIL_FROM?: string;
    /** JSON: `{"box":[minLng,minLat,maxLng,maxLat]}` or `{"polygon":[[lng,lat],…]}`; default Okayama City. */
    REPORT_AREA?: string;
    /** The worker's public origin, for links in mails the cron sends (no request to take it from). */
    PUBLIC_ORIGIN?: string;
    /** Broadcast windows in JST, `HH:MM-HH:MM` (policy §5 for the city; schools and associations have their own). */
    BROADCAST_HOURS_CITY?: string;
    BROADCAST_HOURS_SCHOOL?: string;
    BROADCAST_HOURS_COMMUNITY?: string;
    /** How long one LINE call of a broadcast may take before it counts as a timeout and is retried with its key. */
    BROADCAST_CALL_TIMEOUT_MS?: string;
    /** How long one LINE call of a conversation's answer may take before it counts as unanswered (a timeout). */
    LINE_CALL_TIMEOUT_MS?: string;
    /** Days after its (last) day that an absence notice is deleted by the cron. */
    ABSENCE_RETENTION_DAYS?: string;
    /** Days a pupil's registration code stays valid after it was issued. */
    REGISTRATION_CODE_DAYS?: string;
    /** Days after an unfollow (without a re-follow) when the resident's data is anonymised (default 90). */
    ANONYMISE_AFTER_UNFOLLOW_DAYS?: string;
    ADMIN_SESSION_IDLE_MINUTES?: string;
    ADMIN_SESSION_MAX_HOURS?: string;
    /** Days after a report is closed when its photos are deleted and its description blanked (default 730). */
    REPORT_PHOTO_RETENTION_DAYS?: string;
    /** Days the audit log is kept at least; older rows are deleted by the clean-up (default 1095). */
    AUDIT_RETENTION_DAYS?: string;
    /** Days after which finished pushes (report, school) are deleted and broadcast batches forget their recipients (default 90). */
    DELIVERY_RETENTION_DAYS?: string;
    /** Records each kind of the hourly clean-up removes at most per run; a backlog drains over several runs. */
    RETENTION_BATCH_LIMIT?: string;
    /** Comma lists of what residents may choose in 設定; `日本語名|English name` gives the English label. */
    WARDS?: string;
    INTERESTS?: string;
  }
}

/** Bindings and configuration of the worker (see `Cloudflare.Env` above). */
interface Env extends Cloudflare.Env {}
