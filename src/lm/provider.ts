// Registers Qwen Local's models with VS Code's own Chat and agent mode (the language model chat
// provider API, stable since VS Code 1.104). Feature-detected: on an older VS Code nothing is
// registered and nothing is logged as an error. The decisions live in the pure modules beside it.

import * as vscode from 'vscode';
import { estimateTokens } from '../completion/budget';
import type { Services } from '../services';
import { fitToContext, toServerMessages } from './messages';
import { inputMessage } from './parts';
import { chatThroughBackend } from './serverChat';
import type { ToolSpec } from './toolCalls';
import { runToolTurn } from './turn';

export const VENDOR = 'qwen-local';

/** The slice of the 1.104 API used here; @types/vscode stays at the oldest supported version. */
interface ChatInformation {
  id: string;
  name: string;
  family: string;
  version: string;
  tooltip?: string;
  detail?: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  capabilities: { toolCalling?: boolean | number; imageInput?: boolean };
}
interface ResponseOptions {
  tools?: readonly { name: string; description: string; inputSchema?: object }[];
}
interface Provider {
  /** VS Code re-reads the model list (its Chat model picker caches it) when this fires. */
  onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
  provideLanguageModelChatInformation(options: { silent: boolean }, token: vscode.CancellationToken): Promise<ChatInformation[]>;
  provideLanguageModelChatResponse(
    model: ChatInformation,
    messages: readonly { role: unknown; content: unknown }[],
    options: ResponseOptions,
    progress: vscode.Progress<unknown>,
    token: vscode.CancellationToken,
  ): Promise<void>;
  provideTokenCount(model: ChatInformation, text: unknown, token: vscode.CancellationToken): Promise<number>;
}
interface LmRuntime {
  lm: { registerLanguageModelChatProvider?(vendor: string, provider: Provider): vscode.Disposable };
  LanguageModelTextPart?: new (value: string) => unknown;
  LanguageModelToolCallPart?: new (callId: string, name: string, input: object) => unknown;
}

/** Tokens kept for the answer out of the model's context. */
const OUTPUT_TOKENS = 4096;

/**
 * `onModelsChanged`: the hardware choice or the installed models may have changed (ModelManager's
 * onDidChange); with the settings it decides which model VS Code's Chat is offered.
 */
export function registerLanguageModelProvider(
  context: vscode.ExtensionContext,
  services: Services,
  onModelsChanged?: (listener: () => void) => { dispose(): void },
): void {
  const runtime = vscode as unknown as LmRuntime;
  const lm = runtime.lm;
  const TextPart = runtime.LanguageModelTextPart;
  const ToolCallPart = runtime.LanguageModelToolCallPart;
  if (!lm.registerLanguageModelChatProvider || !TextPart || !ToolCallPart) {
    services.log.debug('VS Code has no language model chat provider API here (it needs 1.104): Qwen Local models are not offered in VS Code Chat.');
    return;
  }
  const log = services.log.child('lm');
  const nativeTools = new Map<string, Promise<boolean>>();
  const hasNativeTools = (model: string): Promise<boolean> => {
    let known = nativeTools.get(model);
    if (!known) {
      known = services
        .backend()
        .show(model)
        .then((d) => d.capabilities.includes('tools'))
        .catch(() => false);
      nativeTools.set(model, known);
    }
    return known;
  };

  // What VS Code was last told; a change of model, context or server makes it ask again, so the
  // picker never offers a model that is no longer the one Qwen Local would run.
  const offered = () => `${services.models.chatModel()}|${services.models.chatNumCtx()}|${services.backend().host}`;
  let lastOffered = offered();
  const changed = new vscode.EventEmitter<void>();
  const check = () => {
    const now = offered();
    if (now === lastOffered) return;
    lastOffered = now;
    log.debug(`Models offered to VS Code Chat changed: ${now}`);
    changed.fire();
  };
  context.subscriptions.push(changed, services.config.onDidChange(check), ...(onModelsChanged ? [onModelsChanged(check)] : []));

  const provider: Provider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    async provideLanguageModelChatInformation() {
      lastOffered = offered();
      const model = services.models.chatModel();
      const numCtx = services.models.chatNumCtx();
      return [
        {
          id: model,
          name: `${model} (Qwen Local)`,
          family: model.split(':')[0],
          version: model,
          tooltip: `Served by ${services.backend().host}; context ${numCtx} tokens.`,
          maxInputTokens: Math.max(1024, numCtx - OUTPUT_TOKENS),
          maxOutputTokens: OUTPUT_TOKENS,
          capabilities: { toolCalling: true, imageInput: false },
        },
      ];
    },

    async provideLanguageModelChatResponse(model, messages, options, progress, token) {
      const numCtx = services.models.chatNumCtx();
      const fitted = fitToContext(toServerMessages(messages.map(inputMessage)), numCtx - OUTPUT_TOKENS, estimateTokens);
      if (fitted.overflow) throw new Error(`The request is longer than ${model.id}'s context of ${numCtx} tokens even without earlier turns. Shorten it or pick a model with a larger context.`);
      if (fitted.dropped) log.info(`Left out the ${fitted.dropped} oldest messages to fit ${numCtx} tokens.`);
      const tools: ToolSpec[] = (options.tools ?? []).map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      // An agent's request holds the server like a chat answer: typing waits, never cancels it.
      const release = services.holdServer();
      try {
        const chat = chatThroughBackend(() => services.backend(), {
          model: model.id,
          numCtx,
          maxOutputTokens: OUTPUT_TOKENS,
          keepAlive: services.config.settings.keepAlive,
          nativeTools: tools.length > 0 && (await hasNativeTools(model.id)),
        });
        let ids = 0;
        const result = await runToolTurn(fitted.messages, tools, chat, {
          text: (value) => progress.report(new TextPart(value)),
          toolCall: (call) => progress.report(new ToolCallPart(call.callId, call.name, call.input)),
        }, { signal: abort.signal, newId: () => `qwen-local-${Date.now().toString(36)}-${++ids}` });
        if (result.kind === 'failed' || result.kind === 'unrepairable') throw new Error(result.message);
        if (result.kind === 'toolCalls' && result.repairs) log.info(`Tool call repaired after ${result.repairs} correction(s).`);
      } finally {
        release();
        cancel.dispose();
      }
    },

    async provideTokenCount(_model, text) {
      if (typeof text === 'string') return estimateTokens(text);
      const message = inputMessage(text as { role: unknown; content: unknown });
      return estimateTokens(message.parts.map((p) => (p.kind === 'text' ? p.value : p.kind === 'toolResult' ? p.content : JSON.stringify(p.input))).join(''));
    },
  };
  context.subscriptions.push(lm.registerLanguageModelChatProvider(VENDOR, provider));
}
