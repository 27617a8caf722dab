// The codebase index in the editor (thin glue over service.ts): opt-in once per workspace, the
// status bar while indexing, re-indexing on save/rename/delete, and the commands Index Workspace,
// Show Index Status, Delete Index. Chat's @codebase and the search tool call `CodebaseApi`.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { CodebaseRetriever } from '../chat/codebaseContext';
import { fitHitsToBudget, type SearchOptions, type SearchResult } from './codebaseIndex';
import { backgroundBuildDue, searchGate, type Consent } from './consent';
import { embedderFrom } from './embeddingModel';
import { indexStatusReport } from './report';
import { CodebaseService, estimateSeconds, type IndexProgress } from './service';
import { IndexStore } from './store';
import { currentEmbeddingOffer } from './embeddingOfferFacts';
import { pullEmbeddingModel, showEmbeddingOffer } from './vscodeEmbeddingOffer';
import { relativePathOf, uriOf, VsCodeWorkspaceSource } from './vscodeSource';

const CONSENT_KEY = 'qwenLocal.codebase.consent';
/** The auto setting asked the consent question once in this workspace (whatever the answer). */
const AUTO_ASKED_KEY = 'qwenLocal.codebase.autoAsked';
/** An embedding model was offered for this workspace's words-only index (once, unless asked for). */
const OFFERED_KEY = 'qwenLocal.codebase.embeddingOffered';
const STATUS_URI = vscode.Uri.from({ scheme: 'qwen-local-index', path: '/Qwen Local - Codebase Index.md' });
/** The part of the chat's context window @codebase may fill. */
const CHAT_SHARE = 0.35;
/** Indexing waits this long after the last keystroke. */
const TYPING_PAUSE_MS = 2000;

export interface CodebaseApi {
  /**
   * Searches the index. Not indexed yet: asks the user (`ask`: they picked @codebase) and waits
   * until the files are read (vectors follow in the background), or (`auto`: the setting added it)
   * asks once per workspace without waiting; resolves to a sentence when it cannot (consent.ts).
   */
  search(query: string, options: SearchOptions & { ask?: boolean; auto?: boolean }): Promise<SearchResult | string>;
}

/** @codebase for the chat panel: the best chunks within a share of the chat's context window. */
export function chatRetriever(api: CodebaseApi, numCtx: () => number, auto: () => boolean): CodebaseRetriever {
  return {
    async retrieve(query, asked) {
      const result = await api.search(query, { limit: 12, ask: asked, auto: !asked });
      if (typeof result === 'string') return result;
      return fitHitsToBudget(result.hits, Math.floor(numCtx() * CHAT_SHARE)).kept;
    },
    auto,
    uriOf: (p) => uriOf(p)?.toString(),
  };
}

/** What the workspace's trust allows (workspace/trust.ts): `indexing` covers the index's own reading. */
export interface IndexingLimits {
  indexing: boolean;
  virtual: boolean;
}

export function registerCodebase(
  context: vscode.ExtensionContext,
  services: Services,
  limits: () => IndexingLimits = () => ({ indexing: true, virtual: false }),
  /** Fires when the limits change (trust granted, Allow in This Window): an agreed index is brought up to date then. */
  onLimitsChanged?: vscode.Event<void>,
): CodebaseApi {
  const log = services.log.child('codebase');
  const settings = () => services.config.settings;
  const source = new VsCodeWorkspaceSource(
    () => settings().codebase.maxFiles,
    () => settings().completion.exclude,
  );
  const storage = context.storageUri ? path.join(context.storageUri.fsPath, 'codebase') : undefined;
  let lastTyped = 0;
  const service = new CodebaseService({
    source,
    store: storage ? new IndexStore(storage) : undefined,
    excluded: (p) => source.excluded(p),
    embedder: (signal) => embedderFrom(services.backend(), settings().codebase.embeddingModel, signal),
    busy: () => Date.now() - lastTyped < TYPING_PAUSE_MS,
    log,
  });
  const item = vscode.window.createStatusBarItem('qwenLocal.codebaseIndex', vscode.StatusBarAlignment.Right, 99);
  item.name = 'Qwen Local: Codebase Index';
  const timers: ReturnType<typeof setTimeout>[] = [];
  context.subscriptions.push(item, { dispose: () => (service.dispose(), timers.forEach(clearTimeout)) });

  const hasFolder = () => (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const consent = () => context.workspaceState.get<Consent>(CONSENT_KEY);
  let autoAsking = false;
  let building: Promise<void> | undefined;
  let wordsReady: Promise<void> | undefined;

  function showProgress(p: IndexProgress): void {
    const what = p.phase === 'reading' ? 'Indexing' : 'Embedding';
    item.text = p.paused ? `$(debug-pause) ${what} paused` : `$(sync~spin) ${what} ${p.done}/${p.total}`;
    item.tooltip = `${p.paused ? 'Waiting while you type. ' : ''}Qwen Local is indexing this workspace for @codebase. Click to cancel.`;
    item.command = 'qwenLocal.cancelIndexing';
    item.show();
  }

  function startBuild(): void {
    if (building) return;
    let signalWords: () => void = () => {};
    wordsReady = new Promise((resolve) => (signalWords = resolve));
    building = (async () => {
      try {
        const report = await service.build((p) => {
          showProgress(p);
          if (p.phase === 'embedding') signalWords();
        });
        log.info(`Indexed in ${report.ms} ms: ${report.listed} files listed, ${report.indexed} indexed, ${report.unchanged} unchanged, ${report.removed} removed, ${report.embedded} chunks embedded, ${report.pending} waiting${report.cancelled ? ' (cancelled)' : ''}.`);
        if (report.embedError) {
          log.warn(`Embedding stopped: ${report.embedError}`);
          void vscode.window.showWarningMessage(`Qwen Local: the codebase index searches by words for now; embedding stopped (${report.embedError}). It resumes on the next "Index Workspace".`, 'Show Index Status').then((c) => c && vscode.commands.executeCommand('qwenLocal.showIndexStatus'));
        }
        if (!report.cancelled && service.embedder.model === undefined) void offerOnce();
        if (report.truncated) void vscode.window.showInformationMessage(`Qwen Local indexed the first ${settings().codebase.maxFiles} files of this workspace (qwenLocal.codebase.maxFiles); the rest were skipped.`);
        item.text = report.cancelled ? '$(circle-slash) Indexing cancelled' : `$(database) ${service.index.fileCount} files indexed`;
        item.tooltip = 'Qwen Local codebase index. Click for its status.';
        item.command = 'qwenLocal.showIndexStatus';
        timers.push(setTimeout(() => !service.indexing && item.hide(), 5000));
      } catch (error) {
        log.error('Indexing the workspace failed', error);
        item.hide();
      } finally {
        signalWords();
        building = undefined;
      }
    })();
  }

  /** After a pull: the next build adds vectors to the chunks it has (unchanged files are not read into new chunks). */
  function reindexWithVectors(): void {
    void (async () => {
      while (building) await building;
      if (service.index.fileCount > 0 || consent() === 'yes') startBuild();
    })();
  }

  /** The words-only index's offer of an embedding model (or why none), once per workspace. */
  async function offerOnce(): Promise<void> {
    if (context.workspaceState.get<boolean>(OFFERED_KEY) === true) return;
    const offer = await currentEmbeddingOffer(services, service.embedder.model);
    if (offer.kind === 'none') return;
    await context.workspaceState.update(OFFERED_KEY, true);
    await showEmbeddingOffer(services, offer, reindexWithVectors);
  }

  /** The once-per-workspace question, with the file count, an estimate, and an embedding model to pull when one fits. */
  async function askConsent(): Promise<boolean> {
    const counting = new AbortController();
    const [{ files, truncated }, embedder] = await Promise.all([source.list(counting.signal), service.refreshEmbedder(AbortSignal.timeout(3000))]);
    const offer = await currentEmbeddingOffer(services, embedder.model);
    const pull = offer.kind === 'pull' ? `Index and ${offer.button}` : undefined;
    const secs = estimateSeconds(files.length, embedder.model !== undefined);
    const time = secs < 90 ? `${secs} s` : `${Math.round(secs / 60)} min`;
    const how = embedder.model
      ? `with the embedding model ${embedder.model}`
      : pull
        ? `by words only, as the server has no embedding model ("${pull}" adds search by meaning)`
        : 'by words only (the server has no embedding model)';
    const choice = await vscode.window.showInformationMessage(
      `Index this workspace for @codebase and code search? ${files.length.toLocaleString('en-US')}${truncated ? '+' : ''} files, about ${time}, ${how}. The index stays on this machine; excluded files (.env, keys, .gitignore) are never read.`,
      'Index',
      ...(pull ? [pull] : []),
      'Not Now',
      'Never',
    );
    const yes = choice === 'Index' || (pull !== undefined && choice === pull);
    if (yes) await context.workspaceState.update(CONSENT_KEY, 'yes');
    if (choice === 'Never') await context.workspaceState.update(CONSENT_KEY, 'no');
    if (offer.kind === 'pull') await context.workspaceState.update(OFFERED_KEY, true);
    if (offer.kind === 'pull' && choice === pull) void pullEmbeddingModel(services, offer.tag, reindexWithVectors);
    return yes;
  }

  // Show Index Status is a read-only document (no "save changes?" when it is closed).
  let statusText = '';
  const statusChanged = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    statusChanged,
    vscode.workspace.registerTextDocumentContentProvider(STATUS_URI.scheme, { onDidChange: statusChanged.event, provideTextDocumentContent: () => statusText }),
  );

  const cmd = (id: string, fn: () => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  cmd('qwenLocal.indexWorkspace', async () => {
    if (!hasFolder()) return vscode.window.showInformationMessage('Qwen Local: open a folder first; there is no workspace to index.');
    if (limits().virtual) return vscode.window.showInformationMessage('Qwen Local: a virtual workspace cannot be indexed (its files are not on a disk). Open a local or remote folder to use @codebase.');
    // In Restricted Mode the command itself is the person's say; only the background work waits for trust.
    await context.workspaceState.update(CONSENT_KEY, 'yes');
    startBuild();
    return building;
  });
  cmd('qwenLocal.cancelIndexing', () => service.cancel());
  cmd('qwenLocal.showIndexStatus', async () => {
    await service.ensureLoaded();
    if (service.index.fileCount > 0 && service.embedder.why.startsWith('The server has not')) await service.refreshEmbedder(AbortSignal.timeout(3000));
    const offer = hasFolder() ? await currentEmbeddingOffer(services, service.embedder.model) : { kind: 'none' as const };
    const content = indexStatusReport({
      workspace: hasFolder() ? vscode.workspace.name : undefined,
      consent: consent(),
      files: service.index.fileCount,
      chunks: service.index.chunkCount,
      vectors: service.index.vectors.size,
      pending: service.index.pendingCount,
      storedModel: service.index.model,
      embedder: service.embedder,
      ...(offer.kind === 'none' ? {} : { embeddingHint: offer.message }),
      indexing: service.indexing,
      paused: service.isPaused,
      lastBuild: service.lastBuild,
      lastLoad: service.lastLoad,
      storage,
    });
    statusText = content;
    statusChanged.fire(STATUS_URI);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(STATUS_URI), { preview: true });
    if (offer.kind === 'pull') void showEmbeddingOffer(services, offer, reindexWithVectors);
  });
  cmd('qwenLocal.deleteIndex', async () => {
    const sure = await vscode.window.showWarningMessage('Delete the codebase index of this workspace? @codebase asks again before indexing.', { modal: true }, 'Delete');
    if (sure !== 'Delete') return;
    await service.deleteIndex();
    await context.workspaceState.update(CONSENT_KEY, undefined);
    item.hide();
    void vscode.window.showInformationMessage('Qwen Local: the codebase index was deleted.');
  });

  // Typing pauses indexing; saves, renames and deletes update the index (debounced in the service).
  const rel = (uri: vscode.Uri) => (uri.scheme === 'file' || uri.scheme === 'vscode-remote' ? relativePathOf(uri) : undefined);
  const under = (folder: string) => service.index.paths().filter((p) => p.startsWith(`${folder}/`));
  const removed = (uri: vscode.Uri) => {
    const p = rel(uri);
    if (p === undefined) return;
    service.deleted(p);
    for (const inside of under(p)) service.deleted(inside);
  };
  const changed = (uri: vscode.Uri) => {
    // Restricted Mode: nothing is read on its own; the next Index Workspace catches up (it is incremental).
    if (!limits().indexing) return;
    const p = rel(uri);
    if (p !== undefined) service.changed(p);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  context.subscriptions.push(
    watcher,
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0 && e.document.uri.scheme !== 'output') lastTyped = Date.now();
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => changed(doc.uri)),
    vscode.workspace.onDidRenameFiles((e) => {
      for (const { oldUri, newUri } of e.files) {
        const from = rel(oldUri);
        const to = rel(newUri);
        if (from === undefined || to === undefined) continue;
        const inside = under(from);
        if (inside.length === 0) service.renamed(from, to);
        for (const p of inside) service.renamed(p, to + p.slice(from.length));
      }
    }),
    watcher.onDidCreate(changed),
    watcher.onDidChange(changed),
    watcher.onDidDelete(removed),
  );

  // An index the user agreed to is brought up to date in the background after start-up, and when
  // Restricted Mode ends (trust granted, or allowed in this window) without a reload.
  const buildIfDue = (why: string) => {
    if (!backgroundBuildDue({ hasFolder: hasFolder(), consent: consent(), mayIndex: limits().indexing, building: building !== undefined })) return;
    log.info(`Bringing the codebase index up to date (${why}).`);
    startBuild();
  };
  timers.push(setTimeout(() => buildIfDue('start-up'), 3000));
  if (onLimitsChanged) context.subscriptions.push(onLimitsChanged(() => buildIfDue('the workspace may be read now')));

  /** The auto setting's consent question: once per workspace, remembered before asking, never awaited by chat. */
  function askInBackground(): void {
    if (autoAsking) return;
    autoAsking = true;
    void context.workspaceState.update(AUTO_ASKED_KEY, true);
    askConsent().then(
      (yes) => yes && startBuild(),
      (error: unknown) => log.error('Asking to index the workspace failed', error),
    );
  }

  return {
    async search(query, options) {
      if (!hasFolder()) return 'No folder is open, so there is no codebase to search. Open a folder first.';
      if (limits().virtual) return 'This is a virtual workspace: its files are not on a disk, so Qwen Local cannot index them. Attach files with @file instead.';
      await service.ensureLoaded();
      const gate = searchGate({
        consent: consent(),
        indexed: service.index.fileCount > 0,
        building: building !== undefined,
        origin: options.ask ? 'asked' : options.auto ? 'auto' : 'tool',
        autoAsked: autoAsking || context.workspaceState.get<boolean>(AUTO_ASKED_KEY) === true,
        mayIndex: limits().indexing,
      });
      if (gate.kind === 'refuse') return gate.answer;
      if (gate.kind === 'askInBackground') {
        askInBackground();
        return gate.answer;
      }
      if (gate.kind === 'ask' && !(await askConsent())) return gate.otherwise;
      if (gate.kind !== 'search') startBuild();
      if (service.index.fileCount === 0) await wordsReady;
      return service.search(query, options);
    },
  };
}
