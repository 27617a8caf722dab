// The codebase search as a language model tool (`languageModelTools` in package.json), so that VS
// Code's own agent, with any model, gets offline code search. Input `{ query, pathGlob? }`; the
// answer is the top chunks with `path:line` ranges within a token budget. Excluded files are never
// in the index, and the index filters them again at search time.

import * as vscode from 'vscode';
import type { Logger } from '../log';
import { checkToolInput, toolAnswer, type SearchInput } from './report';
import type { CodebaseApi } from './vscodeCodebase';

export const SEARCH_TOOL = 'qwenLocal_searchCodebase';
const DEFAULT_TOKENS = 4000;
const MAX_TOKENS = 8000;

export function registerCodebaseTool(context: vscode.ExtensionContext, api: CodebaseApi, log: Logger): void {
  // Typed since 1.95, but a host may lack the lm namespace (other editors built on VS Code).
  if (typeof vscode.lm?.registerTool !== 'function') {
    log.info('This editor has no language model tools API: the codebase search tool is not registered.');
    return;
  }
  const text = (value: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(value)]);
  context.subscriptions.push(
    vscode.lm.registerTool<SearchInput>(SEARCH_TOOL, {
      prepareInvocation(options) {
        const input = checkToolInput(options.input);
        return { invocationMessage: typeof input === 'string' ? 'Searching the codebase' : `Searching the codebase for "${input.query}"` };
      },
      async invoke(options, token) {
        const input = checkToolInput(options.input);
        if (typeof input === 'string') return text(input);
        const controller = new AbortController();
        const listener = token.onCancellationRequested(() => controller.abort());
        try {
          const result = await api.search(input.query, { limit: 12, pathGlob: input.pathGlob, signal: controller.signal, ask: false });
          const budget = Math.min(MAX_TOKENS, options.tokenizationOptions?.tokenBudget ?? DEFAULT_TOKENS);
          return text(typeof result === 'string' ? result : toolAnswer(input.query, result, budget));
        } catch (error) {
          log.error('The codebase search tool failed', error);
          return text(`The codebase search failed: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          listener.dispose();
        }
      },
    }),
  );
}
