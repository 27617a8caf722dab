// The chat panel. The lead calls registerChat() from activate(); other features use the ChatApi it
// returns (ask, attach) and may build attachments with the helpers below.

export { registerChat, DEFAULT_CHAT_NUM_CTX, type ChatApi, type ChatOptions } from './register';
export type { AskOptions, AttachmentInput } from './controller';
export type { TurnResult } from './session';
export type { Attachment } from './types';
export { fileAttachment, selectionAttachment, problemsAttachment } from './attachments';
