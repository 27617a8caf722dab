// registerChat(): wires the chat panel into VS Code — the view, its commands, the history store —
// and returns the API other features use (ask, attach).

import * as vscode from 'vscode';
import { estimateTokens } from '../completion/budget';
import type { Services } from '../services';
import { selectionAttachment } from './attachments';
import type { CodebaseRetriever } from './codebaseContext';
import { ChatController, type AskOptions, type AttachmentInput } from './controller';
import { HistoryStore } from './history';
import { ChatSession, type TurnResult } from './session';
import { ChatViewProvider, snapshot, VIEW_ID, VsCodeChatIde, type ProposeReplacement } from './view';

export interface ChatOptions {
  /** Context window asked of the server for chat (num_ctx), read per message. Default 8192. */
  numCtx?: () => number;
  /** Apply to File through the actions' diff flow, so every proposal is reviewed the same way. */
  proposeReplacement: ProposeReplacement;
  /** @codebase: chunks of the workspace index. */
  codebase?: CodebaseRetriever;
  /** Whether the current file is attached without a click, and when that changes (workspace trust). */
  autoAttach?: { allowed(): boolean; onDidChange: vscode.Event<void> };
}

/** What other features call. */
export interface ChatApi {
  /** Sends `prompt` with attachments in the chat panel and streams the answer there. */
  ask(options: AskOptions): Promise<TurnResult | undefined>;
  /** Adds context chips for the user's next message and shows the panel. */
  attach(attachments: AttachmentInput[]): Promise<void>;
  /** Stops the answer being streamed, if any. */
  stop(): Promise<void>;
  /**
   * Stops any answer (keeping its partial text) and writes the history to disk. Return it from
   * deactivate(): disposables cannot make VS Code wait, a returned promise can.
   */
  flush(): Promise<void>;
}

export const DEFAULT_CHAT_NUM_CTX = 8192;

const EXPLAIN_PROMPT =
  'Explain what the selected code does, step by step. Mention anything surprising, risky or likely to be a bug.';

/**
 * Registers the chat view and its commands. Synchronous: the history loads in the background and
 * every entry point waits for it.
 */
export function registerChat(context: vscode.ExtensionContext, services: Services, options: ChatOptions): ChatApi {
  const log = services.log.child('chat');
  const numCtx = options.numCtx ?? (() => DEFAULT_CHAT_NUM_CTX);
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;

  // The controller is created once the history is loaded; the view waits for it.
  const provider = new ChatViewProvider(context.extensionUri, () => controllerReady, log);
  const ide = new VsCodeChatIde(provider, log, options.proposeReplacement, () => services.config.settings.completion.exclude);
  let historyStore: HistoryStore | undefined;
  const controllerReady: Promise<ChatController> = (async () => {
    const store = await HistoryStore.open({
      dir: storage,
      warn: (message) => {
        log.warn(message);
        void vscode.window.showWarningMessage(`Qwen Local: ${message}`);
      },
      logError: (message, error) => log.error(message, error),
    });
    historyStore = store;
    const session = new ChatSession({
      backend: () => services.backend(),
      store,
      settings: () => {
        const s = services.config.settings;
        return { systemPrompt: s.chat.systemPrompt, temperature: s.chat.temperature, keepAlive: s.keepAlive };
      },
      defaultModel: () => services.models.chatModel(),
      estimate: estimateTokens,
      numCtx,
      log,
      // Completions wait while an answer streams: a default Ollama runs one request at a time.
      holdServer: () => services.holdServer(),
    });
    const controller = new ChatController({
      session,
      ide,
      backend: () => services.backend(),
      log,
      estimate: estimateTokens,
      numCtx,
      exclude: () => services.config.settings.completion.exclude,
      systemPromptSetting: () => services.config.settings.chat.systemPrompt,
      beginWork: (label) => services.status.beginWork(label),
      codebase: options.codebase,
      autoAttach: () => options.autoAttach?.allowed() ?? true,
    });
    context.subscriptions.push(
      { dispose: () => controller.dispose() },
      // Deactivation: stop the answer (its partial text is saved) and flush the history.
      { dispose: () => void session.dispose().then(() => store.dispose()) },
    );
    return controller;
  })();
  controllerReady.catch((error: unknown) => log.error('The chat could not start', error));

  // Chips follow the editor; debounced because selections change on every keystroke.
  let chipTimer: ReturnType<typeof setTimeout> | undefined;
  const editorChanged = () => {
    if (chipTimer) clearTimeout(chipTimer);
    chipTimer = setTimeout(() => {
      chipTimer = undefined;
      void controllerReady.then((c) => c.editorChanged());
    }, 250);
  };

  // A conversation's model belongs to the server it was picked on (a vLLM's "Qwen/…" is no Ollama tag).
  let server = services.backend().host;
  const serverMaybeChanged = () => {
    if (services.backend().host === server) return;
    server = services.backend().host;
    void controllerReady.then((c) => c.serverChanged());
  };

  const withController = (run: (c: ChatController) => Promise<unknown> | unknown) => async () => {
    try {
      await run(await controllerReady);
    } catch (error) {
      log.error('Chat command failed', error);
      void vscode.window.showErrorMessage(`Qwen Local chat: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  context.subscriptions.push(
    provider,
    ide,
    vscode.window.registerWebviewViewProvider(VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: false } }),
    vscode.window.onDidChangeActiveTextEditor(editorChanged),
    vscode.window.onDidChangeTextEditorSelection(editorChanged),
    services.config.onDidChange(editorChanged),
    services.config.onDidChange(serverMaybeChanged),
    ...(options.autoAttach ? [options.autoAttach.onDidChange(editorChanged)] : []),
    { dispose: () => chipTimer && clearTimeout(chipTimer) },
    vscode.commands.registerCommand(
      'qwenLocal.openChat',
      withController(async (c) => {
        await provider.reveal(false);
        c.focusInput();
      }),
    ),
    vscode.commands.registerCommand(
      'qwenLocal.newChat',
      withController(async (c) => {
        await c.session.newConversation();
        await provider.reveal(false);
        c.focusInput();
      }),
    ),
    vscode.commands.registerCommand('qwenLocal.chatHistory', withController((c) => showHistory(c, provider))),
    vscode.commands.registerCommand('qwenLocal.exportChat', withController((c) => c.exportConversation())),
    vscode.commands.registerCommand(
      'qwenLocal.addSelectionToChat',
      withController(async (c) => {
        if (!(await c.attachSelection())) void vscode.window.showInformationMessage('Select some code first, then add it to the chat.');
      }),
    ),
    vscode.commands.registerCommand(
      'qwenLocal.explainSelection',
      withController(async (c) => {
        const editor = vscode.window.activeTextEditor;
        if (!editor) {
          void vscode.window.showInformationMessage('Open a file and select the code to explain.');
          return;
        }
        const file = snapshot(editor.document);
        const sel = editor.selection;
        const attachments: AttachmentInput[] = [];
        if (!sel.isEmpty) {
          // Attached explicitly too, so it goes even if the user switched the selection chip off.
          const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1;
          const { id: _id, ...selection } = selectionAttachment('', file, { range: { startLine: sel.start.line + 1, endLine }, text: editor.document.getText(sel) });
          attachments.push(selection);
        }
        const prompt = sel.isEmpty ? 'Explain what this file does and how its parts fit together.' : EXPLAIN_PROMPT;
        await c.ask({ prompt, attachments });
      }),
    ),
  );

  return {
    ask: async (askOptions) => (await controllerReady).ask(askOptions),
    attach: async (attachments) => (await controllerReady).attach(attachments),
    stop: async () => (await controllerReady).session.stop(),
    flush: async () => {
      const controller = await controllerReady.catch(() => undefined);
      await controller?.session.stop();
      await historyStore?.save().catch((error: unknown) => log.error('Could not save the chat history', error));
    },
  };
}

interface ConversationItem extends vscode.QuickPickItem {
  id?: string;
  action?: 'new';
}

/** The "Conversations" quick pick: switch, rename, delete. */
async function showHistory(controller: ChatController, provider: ChatViewProvider): Promise<void> {
  const rename: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('edit'), tooltip: 'Rename' };
  const remove: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete' };
  const pick = vscode.window.createQuickPick<ConversationItem>();
  pick.title = 'Chat conversations';
  pick.placeholder = 'Switch to a conversation (the buttons rename or delete it)';
  pick.matchOnDescription = true;
  const refresh = () => {
    const currentId = controller.session.conversation.id;
    const items: ConversationItem[] = [{ label: '$(add) New chat', action: 'new', alwaysShow: true }];
    for (const c of controller.session.list()) {
      items.push({
        label: `${c.id === currentId ? '$(comment-discussion) ' : ''}${c.title}`,
        description: `${c.messageCount} message${c.messageCount === 1 ? '' : 's'} · ${new Date(c.updatedAt).toLocaleString()}`,
        id: c.id,
        buttons: [rename, remove],
      });
    }
    pick.items = items;
  };
  refresh();
  const done = new Promise<void>((resolve) => {
    pick.onDidTriggerItemButton(async (e) => {
      const id = e.item.id;
      if (!id) return;
      if (e.button === rename) {
        pick.hide();
        await controller.renameConversation(id);
      } else {
        pick.busy = true;
        await controller.deleteConversation(id);
        pick.busy = false;
        refresh();
      }
    });
    pick.onDidAccept(async () => {
      const item = pick.selectedItems[0];
      pick.hide();
      if (item?.action === 'new') await controller.session.newConversation();
      else if (item?.id) await controller.session.switchTo(item.id);
      await provider.reveal(false);
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve();
    });
  });
  pick.show();
  await done;
}
