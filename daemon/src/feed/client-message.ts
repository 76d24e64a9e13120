// Validation of what a client sends, at the edge, before anything acts on it.
import { z } from 'zod';
import type { ClientMessage } from '../protocol/feed.ts';

const topicName = z.string().min(1).max(256);

const clientMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('subscribe'),
      topic: topicName,
      resume: z.object({ epoch: z.string().min(1).max(64), seq: z.number().int().min(0) }).strict().optional(),
    })
    .strict(),
  z.object({ type: z.literal('unsubscribe'), topic: topicName }).strict(),
]);

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; reason: string };

export function parseClientMessage(text: string): ParsedClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'message is not JSON' };
  }
  const result = clientMessageSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, reason: `${where}${issue?.message ?? 'invalid message'}` };
  }
  return { ok: true, message: result.data };
}
