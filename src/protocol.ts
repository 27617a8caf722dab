// The chat panel's message protocol, imported by both the extension host and the webview.
// Each message is defined once, as a valibot schema: the TypeScript types come from the schemas
// (v.InferOutput) and each side validates what it receives with them, so a new message is one
// schema here plus its handler on the receiving side. The host treats the page's messages as
// untrusted (the page renders model output); the page checks the host's too, cheaply.
//
// Handshake: the page posts `ready`; the host queues everything until then (ChatViewProvider) and
// answers with `init`. A page that is hidden and recreated posts `ready` again and gets a fresh `init`.
// Streaming: the host posts `chunk` messages for one assistant message id; `content` and `thinking`
// are appended (or replace the shown text when `replace` is set); the last chunk has `done: true`
// and carries the outcome. Requests that want an answer carry a `requestId`; the host answers with
// `reply` naming the same id.

import * as v from 'valibot';

export const PROTOCOL_VERSION = 1;

/** Longest text the page may send in one message (a pasted file is fine; a runaway page is not). */
export const MAX_TEXT = 2_000_000;

const id = v.pipe(v.string(), v.maxLength(1_000));
const requestId = v.pipe(v.number(), v.safeInteger());
const modelName = v.pipe(
  v.string(),
  v.maxLength(300),
  v.check((s) => s.trim().length > 0),
);

const MessageStatusSchema = v.picklist(['streaming', 'done', 'stopped', 'error', 'length']);
export type MessageStatus = v.InferOutput<typeof MessageStatusSchema>;

const AttachmentKindSchema = v.picklist(['file', 'selection', 'problems', 'text']);
export type AttachmentKind = v.InferOutput<typeof AttachmentKindSchema>;

/** A context chip above the input, or one listed under a sent message. */
const AttachmentViewSchema = v.object({
  id: v.string(),
  kind: AttachmentKindSchema,
  label: v.string(),
  /** Tooltip: the path, the line range, or why it is not attached. */
  detail: v.optional(v.string()),
  /** Attached automatically (current file, selection): removing it toggles it off instead. */
  auto: v.optional(v.boolean()),
  /** An auto chip the user switched off, or a file that may not be attached (excluded). */
  enabled: v.boolean(),
  /** Estimated tokens of its content. */
  tokens: v.optional(v.number()),
  /** A chip under a sent message: the link that opens its place (`path#L5-9`, checked by the host like any link). */
  open: v.optional(v.pipe(v.string(), v.maxLength(8_000))),
});
export type AttachmentView = v.InferOutput<typeof AttachmentViewSchema>;

const ErrorViewSchema = v.object({
  message: v.string(),
  /** BackendError kind, 'incomplete' (the stream ended without its final chunk) or 'tooLong'. */
  kind: v.string(),
  /** Set when the model is not installed: the page offers to pull it. */
  pullModel: v.optional(v.string()),
});
export type ErrorView = v.InferOutput<typeof ErrorViewSchema>;

const StatsViewSchema = v.object({
  tokens: v.optional(v.number()),
  tokensPerSecond: v.optional(v.number()),
  seconds: v.optional(v.number()),
});
export type StatsView = v.InferOutput<typeof StatsViewSchema>;

const MessageViewSchema = v.object({
  id: v.string(),
  role: v.picklist(['user', 'assistant']),
  content: v.string(),
  /** The `<think>` part of a reasoning model's answer, shown folded. */
  thinking: v.optional(v.string()),
  attachments: v.optional(v.array(AttachmentViewSchema)),
  model: v.optional(v.string()),
  status: v.optional(MessageStatusSchema),
  error: v.optional(ErrorViewSchema),
  /** What was left out to fit the model's context, said in words. */
  notice: v.optional(v.string()),
  stats: v.optional(StatsViewSchema),
  createdAt: v.number(),
});
export type MessageView = v.InferOutput<typeof MessageViewSchema>;

const ConversationSummarySchema = v.object({ id: v.string(), title: v.string(), updatedAt: v.number(), messageCount: v.number() });
export type ConversationSummary = v.InferOutput<typeof ConversationSummarySchema>;

const ConversationViewSchema = v.object({
  id: v.string(),
  title: v.string(),
  model: v.optional(v.string()),
  messages: v.array(MessageViewSchema),
});
export type ConversationView = v.InferOutput<typeof ConversationViewSchema>;

const BudgetViewSchema = v.object({
  /** Estimated tokens of the prompt without the draft: system, history, attachments. */
  usedTokens: v.number(),
  /** Tokens the prompt may use: the context window minus the room kept for the answer. */
  limitTokens: v.number(),
});
export type BudgetView = v.InferOutput<typeof BudgetViewSchema>;

const ChunkEndSchema = v.object({
  status: v.picklist(['done', 'stopped', 'error', 'length']),
  error: v.optional(ErrorViewSchema),
  stats: v.optional(StatsViewSchema),
});
export type ChunkEnd = v.InferOutput<typeof ChunkEndSchema>;

const conversations = v.array(ConversationSummarySchema);

/** Host → page. */
export const HostMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('init'),
    protocol: v.number(),
    conversation: ConversationViewSchema,
    conversations,
    models: v.array(v.string()),
    model: v.string(),
    chips: v.array(AttachmentViewSchema),
    budget: BudgetViewSchema,
    busy: v.boolean(),
  }),
  v.object({ type: v.literal('conversation'), conversation: ConversationViewSchema, conversations }),
  v.object({ type: v.literal('conversations'), conversations }),
  v.object({ type: v.literal('messageAdded'), message: MessageViewSchema }),
  v.object({ type: v.literal('messageUpdated'), message: MessageViewSchema }),
  v.object({ type: v.literal('messagesRemoved'), ids: v.array(v.string()) }),
  v.object({
    type: v.literal('chunk'),
    messageId: v.string(),
    /** Answer text to append (or the whole answer with `replace`). */
    content: v.string(),
    /** Reasoning text to append (or the whole of it with `replace`). */
    thinking: v.optional(v.string()),
    replace: v.optional(v.boolean()),
    done: v.boolean(),
    end: v.optional(ChunkEndSchema),
  }),
  v.object({ type: v.literal('models'), models: v.array(v.string()), model: v.string() }),
  v.object({ type: v.literal('chips'), chips: v.array(AttachmentViewSchema), budget: BudgetViewSchema }),
  v.object({ type: v.literal('busy'), busy: v.boolean() }),
  v.object({ type: v.literal('focusInput'), draft: v.optional(v.string()) }),
  v.object({ type: v.literal('reply'), requestId: v.number(), ok: v.boolean(), message: v.optional(v.string()) }),
]);
export type HostMessage = v.InferOutput<typeof HostMessageSchema>;

const CodeActionSchema = v.picklist(['copy', 'insert', 'apply', 'newFile']);
export type CodeAction = v.InferOutput<typeof CodeActionSchema>;
const ContextSourceSchema = v.picklist(['file', 'problems', 'selection', 'codebase']);
export type ContextSource = v.InferOutput<typeof ContextSourceSchema>;

/** Page → host. */
export const WebviewMessageSchema = v.variant('type', [
  v.object({ type: v.literal('ready'), protocol: requestId }),
  v.object({ type: v.literal('send'), text: v.pipe(v.string(), v.maxLength(MAX_TEXT)), editOf: v.optional(id) }),
  v.object({ type: v.literal('stop') }),
  v.object({ type: v.literal('regenerate') }),
  v.object({ type: v.literal('continue') }),
  v.object({ type: v.literal('retry') }),
  v.object({ type: v.literal('showHistory') }),
  v.object({ type: v.literal('refreshModels') }),
  v.object({ type: v.literal('switchConversation'), id }),
  v.object({ type: v.literal('renameConversation'), id }),
  v.object({ type: v.literal('deleteConversation'), id }),
  v.object({ type: v.literal('selectModel'), model: modelName }),
  v.object({ type: v.literal('toggleChip'), id }),
  v.object({ type: v.literal('addContext'), source: ContextSourceSchema }),
  v.object({
    type: v.literal('codeAction'),
    requestId,
    action: CodeActionSchema,
    code: v.pipe(v.string(), v.maxLength(MAX_TEXT)),
    language: v.optional(v.pipe(v.string(), v.maxLength(100))),
  }),
  v.object({ type: v.literal('copyMessage'), requestId, messageId: id }),
  v.object({ type: v.literal('openLink'), href: v.pipe(v.string(), v.maxLength(8_000)) }),
  v.object({ type: v.literal('pullModel'), model: modelName }),
]);
export type WebviewMessage = v.InferOutput<typeof WebviewMessageSchema>;

/** The host's check of a message from the page: a well-formed WebviewMessage (unknown fields dropped), or undefined. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  const result = v.safeParse(WebviewMessageSchema, raw);
  return result.success ? result.output : undefined;
}

/** The page's check of a message from the host. */
export function parseHostMessage(raw: unknown): HostMessage | undefined {
  const result = v.safeParse(HostMessageSchema, raw);
  return result.success ? result.output : undefined;
}
