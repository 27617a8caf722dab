// Plain-object stand-ins for what the editor gives the core and the chat: settings, a ChatIde with
// no editor behind it, and the open editors / recent edits / file reads of completion context.

import type { ChatIde, EditorState } from '../../../src/chat/ide';
import type { EditorContextSource, OpenDocument, RecentEdit } from '../../../src/completion/context';
import type { SettingsSource } from '../../../src/services';
import type { Settings } from '../../../src/settings';

/** Settings as a plain object: `settings` is what the editor's Config would read now. */
export class PlainSettings implements SettingsSource {
  private readonly listeners = new Set<(settings: Settings) => void>();
  constructor(public settings: Settings) {}
  async update(key: string, value: unknown): Promise<void> {
    const [head, tail] = key.split('.') as [keyof Settings, string | undefined];
    const current = this.settings[head];
    this.settings = { ...this.settings, [head]: tail && typeof current === 'object' ? { ...current, [tail]: value } : value };
    for (const listener of [...this.listeners]) listener(this.settings);
  }
  onDidChange(listener: (settings: Settings) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

/** A ChatIde with no editor behind it; `editor` is what the active editor shows. */
export class FakeIde implements ChatIde {
  editor: EditorState | undefined;
  readonly warnings: string[] = [];
  readonly infos: string[] = [];
  readonly commands: { command: string; args: unknown[] }[] = [];
  activeEditor(): EditorState | undefined {
    return this.editor;
  }
  problems() {
    return [];
  }
  async pickFile() {
    return undefined;
  }
  async insertAtCursor() {
    return undefined;
  }
  async applyToFile() {
    return undefined;
  }
  async newFile() {
    return undefined;
  }
  async copy() {}
  async openLink() {}
  async saveMarkdown() {
    return undefined;
  }
  async askText() {
    return undefined;
  }
  async confirm() {
    return false;
  }
  showWarning(message: string): void {
    this.warnings.push(message);
  }
  showInfo(message: string): void {
    this.infos.push(message);
  }
  async runCommand(command: string, ...args: unknown[]): Promise<void> {
    this.commands.push({ command, args });
  }
  async revealView() {}
}

/** An editor context made of plain objects; `reads` records every file the engine asked for. */
export class FakeEditorContext implements EditorContextSource {
  readonly docs: OpenDocument[] = [];
  readonly edits: RecentEdit[] = [];
  readonly files = new Map<string, string>();
  readonly reads: string[] = [];
  readonly texts: string[] = [];
  constructor(private readonly root = '/repo') {}

  open(p: string, languageId: string, text: string): this {
    this.docs.push({
      path: p,
      languageId,
      version: 1,
      getText: () => {
        this.texts.push(p);
        return text;
      },
    });
    return this;
  }
  edit(p: string, line: number): this {
    this.edits.unshift({ path: p, line });
    return this;
  }
  file(p: string, text: string): this {
    this.files.set(p, text);
    return this;
  }
  openDocuments(): readonly OpenDocument[] {
    return this.docs;
  }
  recentEdits(): readonly RecentEdit[] {
    return this.edits;
  }
  async readFile(p: string): Promise<string | undefined> {
    this.reads.push(p);
    return this.files.get(p);
  }
  displayPath(p: string): string {
    return p.startsWith(this.root + '/') ? p.slice(this.root.length + 1) : p;
  }
}
