import { z } from '@hono/zod-openapi';
import type { messagingApi } from '@line/bot-sdk';
import { lineLength, unitOf, type LineProperty } from '../line/limits';

/**
 * LINE message objects a broadcast may carry, with LINE's limits, so a bad message is a
 * 400 that names its field when staff save it, not a failed batch at 08:30 the next day.
 * Each schema is checked against @line/bot-sdk's type (see `lineType` below), so a field
 * we accept is a field the SDK sends.
 */

/** A string of `min`–`max` characters, counted as LINE counts `property` (src/line/limits.ts). */
const chars = (property: LineProperty, min: number, max: number) =>
  z.string().refine(
    (s) => {
      const n = lineLength(property, s);
      return n >= min && n <= max;
    },
    `must be ${min}–${max} characters (${unitOf(property) === 'utf16' ? 'UTF-16 code units' : 'graphemes'}, as LINE counts)`,
  );

const https = (max = 2000) =>
  z
    .string()
    .max(max)
    .refine((s) => /^https:\/\/[^\s]+$/.test(s), 'must be an https:// URL');

const label = chars('action.label', 1, 20);

/** The output type of `s` must be assignable to the SDK's type: a compile-time check only. */
function lineType<T>() {
  return <S extends z.ZodType<T>>(s: S) => s;
}

const MessageAction = z.strictObject({ type: z.literal('message'), label, text: chars('action.text', 1, 300) });
const UriAction = z.strictObject({
  type: z.literal('uri'),
  label,
  uri: z
    .string()
    .max(1000)
    .refine((s) => /^(https?:\/\/|tel:|line:\/\/)\S+$/.test(s), 'must be an http(s)://, tel: or line:// URI'),
});
const PostbackAction = z.strictObject({
  type: z.literal('postback'),
  label,
  data: chars('action.data', 1, 300),
  displayText: chars('action.displayText', 1, 300).optional(),
});
const Action = lineType<messagingApi.Action>()(
  z.discriminatedUnion('type', [MessageAction, UriAction, PostbackAction]),
);

/** camera, cameraRoll and location exist only in quick replies. */
const QuickReplyAction = z.discriminatedUnion('type', [
  MessageAction,
  UriAction,
  PostbackAction,
  z.strictObject({ type: z.literal('camera'), label }),
  z.strictObject({ type: z.literal('cameraRoll'), label }),
  z.strictObject({ type: z.literal('location'), label }),
]);

const QuickReply = lineType<messagingApi.QuickReply>()(
  z.strictObject({
    items: z
      .array(z.strictObject({ type: z.literal('action'), imageUrl: https(2000).optional(), action: QuickReplyAction }))
      .min(1)
      .max(13),
  }),
);

const Sender = z.strictObject({ name: chars('sender.name', 1, 20).optional(), iconUrl: https(2000).optional() });
const base = { quickReply: QuickReply.optional(), sender: Sender.optional() };

const Text = lineType<messagingApi.TextMessage>()(
  z.strictObject({ type: z.literal('text'), text: chars('text', 1, 5000), ...base }),
);
const Image = lineType<messagingApi.ImageMessage>()(
  z.strictObject({ type: z.literal('image'), originalContentUrl: https(2000), previewImageUrl: https(2000), ...base }),
);
const Video = lineType<messagingApi.VideoMessage>()(
  z.strictObject({ type: z.literal('video'), originalContentUrl: https(2000), previewImageUrl: https(2000), ...base }),
);
const Audio = lineType<messagingApi.AudioMessage>()(
  z.strictObject({
    type: z.literal('audio'),
    originalContentUrl: https(2000),
    duration: z.number().int().positive(),
    ...base,
  }),
);
const Sticker = lineType<messagingApi.StickerMessage>()(
  z.strictObject({
    type: z.literal('sticker'),
    packageId: z.string().regex(/^\d{1,20}$/),
    stickerId: z.string().regex(/^\d{1,20}$/),
    ...base,
  }),
);
const Location = lineType<messagingApi.LocationMessage>()(
  z.strictObject({
    type: z.literal('location'),
    title: chars('location.title', 1, 100),
    address: chars('location.address', 1, 100),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    ...base,
  }),
);

/**
 * A Flex container is a deep tree LINE validates itself; we check its outer shape and
 * its size (LINE refuses containers over 30 KB) and leave the tree to LINE, whose 400
 * then names the property in the batch's error.
 */
const Flex = z.strictObject({
  type: z.literal('flex'),
  altText: chars('altText', 1, 400),
  contents: z
    .looseObject({ type: z.enum(['bubble', 'carousel']) })
    .refine((c) => new TextEncoder().encode(JSON.stringify(c)).length <= 30_000, 'must be at most 30 KB as JSON'),
  ...base,
});

const Buttons = z
  .strictObject({
    type: z.literal('buttons'),
    thumbnailImageUrl: https(2000).optional(),
    title: chars('template.title', 1, 40).optional(),
    text: chars('template.text', 1, 160),
    actions: z.array(Action).min(1).max(4),
  })
  // With an image or a title LINE allows only 60 characters of text.
  .refine((t) => !(t.thumbnailImageUrl || t.title) || lineLength('template.text', t.text) <= 60, {
    message: 'must be at most 60 characters with an image or a title',
    path: ['text'],
  });
const Confirm = z.strictObject({
  type: z.literal('confirm'),
  text: chars('template.text', 1, 240),
  actions: z.array(Action).length(2),
});
const Template = lineType<messagingApi.TemplateMessage>()(
  z.strictObject({
    type: z.literal('template'),
    altText: chars('altText', 1, 400),
    template: z.union([Buttons, Confirm]),
    ...base,
  }),
);

export const BroadcastMessage = z
  .discriminatedUnion('type', [Text, Image, Video, Audio, Sticker, Location, Flex, Template])
  .openapi('LineMessage', {
    description: 'A LINE message object (text, image, video, audio, sticker, location, flex, template)',
  });

/** LINE takes one to five message objects per request. */
export const BroadcastMessages = z.array(BroadcastMessage).min(1).max(5);

export type BroadcastMessageInput = z.infer<typeof BroadcastMessage>;

/** The stored messages as the SDK's type (Flex contents were validated only on the outside). */
export function asLineMessages(messages: BroadcastMessageInput[]): messagingApi.Message[] {
  return messages as unknown as messagingApi.Message[];
}
