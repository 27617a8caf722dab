// Write Commit Message (VS Code glue): the staged diff, summarized to fit, streamed as a message into
// the Source Control input box. On failure or cancel the box gets its previous text back.

import * as vscode from 'vscode';
import { excludeMatcherUnder } from '../workspace/exclude';
import { cleanCommitMessage, summarizeDiff, withoutExcluded } from './commitDiff';
import { gitApi, pickRepository, type GitRepository } from './git';
import { gitDiffCli, GitRefused } from './gitCli';
import { buildCommitPrompt } from './prompts';
import { buildRequest, runRequest, streamChat, type ActionsContext } from './propose';

/** Tokens of diff in the prompt: fits an 8k context with the instructions and the answer. */
const DIFF_BUDGET_TOKENS = 5_500;
const REPAINT_MS = 50;

interface DiffSource {
  diff: string;
  unstaged: boolean;
  repo?: GitRepository;
  cwd?: string;
}

async function stagedOrAsk(what: string, staged: () => Promise<string>, unstaged: () => Promise<string>): Promise<{ diff: string; unstaged: boolean } | undefined> {
  const diff = await staged();
  if (diff.trim()) return { diff, unstaged: false };
  const working = await unstaged();
  if (!working.trim()) {
    void vscode.window.showInformationMessage(`${what}: there are no changes to describe (nothing staged, nothing changed).`);
    return undefined;
  }
  const use = 'Use Unstaged Changes';
  const choice = await vscode.window.showInformationMessage(`${what}: no changes are staged. Stage the changes to commit, or write a message for the unstaged changes.`, use);
  return choice === use ? { diff: working, unstaged: true } : undefined;
}

async function readDiff(what: string, arg: unknown): Promise<DiffSource | undefined> {
  const api = await gitApi();
  if (api) {
    const repo = await pickRepository(api, arg);
    if (!repo) {
      void vscode.window.showInformationMessage(`${what}: no Git repository is open in this window.`);
      return undefined;
    }
    const got = await stagedOrAsk(what, () => repo.diff(true), () => repo.diff(false));
    return got && { ...got, repo };
  }
  // The Git extension is disabled: ask git itself.
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    void vscode.window.showInformationMessage(`${what}: open a folder that is a Git repository first.`);
    return undefined;
  }
  const cwd = folder.uri.fsPath;
  // The Git extension does not run in an untrusted workspace; neither does this.
  const trusted = vscode.workspace.isTrusted;
  const workspaceFolders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const diff = (cached: boolean) => gitDiffCli({ cwd, cached, trusted, workspaceFolders });
  try {
    const got = await stagedOrAsk(what, () => diff(true), () => diff(false));
    return got && { ...got, cwd };
  } catch (error) {
    if (error instanceof GitRefused) void vscode.window.showInformationMessage(`${what}: ${error.message}`);
    else void vscode.window.showWarningMessage(`${what}: could not read the Git diff: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

export async function writeCommitMessage(ctx: ActionsContext, arg?: unknown): Promise<void> {
  const what = 'Write Commit Message';
  const { services } = ctx;
  const source = await readDiff(what, arg);
  if (!source) return;

  let recentSubjects: string[] | undefined;
  try {
    recentSubjects = (await source.repo?.log?.({ maxEntries: 10 }))?.map((c) => c.message.split('\n')[0]).filter(Boolean);
  } catch {
    recentSubjects = undefined; // a repository without commits
  }
  const settings = services.config.settings;
  const messages = buildCommitPrompt({
    diff: summarizeDiff(withoutExcluded(source.diff, excludeMatcherUnder(settings.completion.exclude, source.repo?.rootUri.fsPath ?? source.cwd)), DIFF_BUDGET_TOKENS),
    style: settings.commitMessage.style,
    recentSubjects,
    unstaged: source.unstaged,
    extraSystem: settings.chat.systemPrompt,
  });
  const built = buildRequest(services, messages, 400);
  if (!built.ok) {
    void vscode.window.showWarningMessage(`${what}: ${built.reason}`);
    return;
  }

  const box = source.repo?.inputBox;
  const previous = box?.value ?? '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = '';
  const paint = () => {
    timer = undefined;
    if (box) box.value = latest;
  };
  const backend = services.backend();
  const result = await runRequest(ctx, { what, title: 'Qwen Local: writing the commit message…' }, (signal) =>
    streamChat(backend, { ...built.request, signal }, (text) => {
      latest = cleanCommitMessage(text, false);
      timer ??= setTimeout(paint, REPAINT_MS);
    }),
  );
  if (timer) clearTimeout(timer);
  const message = result ? cleanCommitMessage(result.text, true) : '';
  if (!result || !message) {
    if (box) box.value = previous;
    if (result) void vscode.window.showWarningMessage(`${what}: the model returned an empty message; the box was left as it was.`);
    return;
  }
  if (box) {
    box.value = message;
    void vscode.commands.executeCommand('workbench.view.scm');
    return;
  }
  await vscode.env.clipboard.writeText(message);
  void vscode.window.showInformationMessage(`${what}: the Git extension is disabled, so the message was copied to the clipboard.`);
}
