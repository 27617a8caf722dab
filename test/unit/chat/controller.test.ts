import * as assert from 'node:assert/strict';
import type { FileSnapshot, Problem } from '../../../src/chat/attachments';
import { ChatController, chatModels } from '../../../src/chat/controller';
import type { ChatIde, EditorState } from '../../../src/chat/ide';
import { silentLogger } from '../../../src/log';
import type { HostMessage } from '../../../src/protocol';
import { PROTOCOL_VERSION } from '../../../src/protocol';
import { DEFAULT_EXCLUDE } from '../../../src/settings';
import { answer, failsWith, harness, modelNotFound, untilAborted, type Harness } from './helpers';

const APP: FileSnapshot = {
  uri: 'file:///w/src/app.ts',
  fsPath: '/w/src/app.ts',
  relativePath: 'src/app.ts',
  languageId: 'typescript',
  text: 'export const answer = 42;\nexport function twice(x: number) {\n  return x * 2;\n}\n',
};
const ENV: FileSnapshot = { uri: 'file:///w/.env', fsPath: '/w/.env', relativePath: '.env', languageId: 'dotenv', text: 'API_KEY=super-secret-value\n' };

class FakeIde implements ChatIde {
  editor: EditorState | undefined = { file: APP, selection: { range: { startLine: 2, endLine: 4 }, text: 'export function twice(x: number) {\n  return x * 2;\n}' } };
  calls: [string, ...unknown[]][] = [];
  picked: FileSnapshot | undefined;
  problemList: Problem[] = [{ line: 1, column: 14, severity: 'error', message: 'Oops', source: 'ts' }];
  fail: string | undefined;
  lastPickFilter: ((f: { fsPath: string; relativePath?: string }) => boolean) | undefined;
  activeEditor() {
    return this.editor;
  }
  problems(uri: string) {
    this.calls.push(['problems', uri]);
    return this.problemList;
  }
  async pickFile(allowed: (f: { fsPath: string; relativePath?: string }) => boolean) {
    this.lastPickFilter = allowed;
    return this.picked;
  }
  async insertAtCursor(code: string) {
    this.calls.push(['insert', code]);
    return this.fail;
  }
  async applyToFile(code: string, language: string | undefined) {
    this.calls.push(['apply', code, language]);
    return this.fail;
  }
  async newFile(code: string, language: string | undefined) {
    this.calls.push(['newFile', code, language]);
    return undefined;
  }
  async copy(text: string) {
    this.calls.push(['copy', text]);
  }
  async openLink(href: string) {
    this.calls.push(['openLink', href]);
  }
  async saveMarkdown(name: string, content: string) {
    this.calls.push(['save', name, content]);
    return `/w/${name}`;
  }
  async askText(_prompt: string, value: string) {
    return `${value} (renamed)`;
  }
  async confirm() {
    return true;
  }
  showWarning(message: string) {
    this.calls.push(['warning', message]);
  }
  showInfo(message: string) {
    this.calls.push(['info', message]);
  }
  async runCommand(command: string, ...args: unknown[]) {
    this.calls.push(['command', command, ...args]);
  }
  async revealView(preserveFocus: boolean) {
    this.calls.push(['reveal', preserveFocus]);
  }
}

describe('chat controller (page messages, chips, API)', () => {
  let h: Harness;
  let ide: FakeIde;
  let posted: HostMessage[];
  let controller: ChatController;
  let busy: boolean[];
  let work: string[];

  async function setup(script = answer('Sure.')) {
    h = await harness({ script });
    ide = new FakeIde();
    posted = [];
    busy = [];
    work = [];
    controller = new ChatController({
      session: h.session,
      ide,
      backend: () => h.backend,
      log: silentLogger,
      estimate: (t) => Math.ceil(t.length / 3.5),
      numCtx: 8192,
      exclude: () => DEFAULT_EXCLUDE,
      systemPromptSetting: () => '',
      onBusy: (b) => busy.push(b),
      beginWork: (label) => {
        work.push(`begin ${label}`);
        return () => work.push(`end ${label}`);
      },
      newId: (() => {
        let n = 0;
        return () => `x${++n}`;
      })(),
    });
    controller.connect({ post: (m) => posted.push(m) });
  }
  const of = <T extends HostMessage['type']>(type: T) => posted.filter((m): m is Extract<HostMessage, { type: T }> => m.type === type);
  const flush = () => new Promise((r) => setImmediate(r));

  afterEach(async () => {
    controller?.dispose();
    await h?.cleanup();
  });

  it('answers ready with the whole state, then the installed chat models', async () => {
    await setup();
    await controller.handle({ type: 'ready', protocol: PROTOCOL_VERSION });
    await flush();
    const init = of('init')[0];
    assert.ok(init);
    assert.equal(init.model, 'qwen2.5-coder:7b');
    assert.deepEqual(
      init.chips.map((c) => [c.id, c.label, c.auto, c.enabled]),
      [
        ['auto:selection', 'app.ts:2-4', true, true],
        ['auto:file', 'app.ts', true, true],
      ],
    );
    assert.equal(init.budget.limitTokens, 8192 - 2048);
    assert.ok(init.budget.usedTokens > 50);
    const models = of('models').pop()!;
    assert.deepEqual(models.models, ['qwen2.5-coder:1.5b-base', 'qwen2.5-coder:7b']);
  });

  it('after a server change, a model picked on the old server gives way to the default before the next message', async () => {
    await setup();
    h.backend.models = ['Qwen/Qwen2.5-Coder-7B-Instruct'];
    await controller.handle({ type: 'ready', protocol: PROTOCOL_VERSION });
    await flush();
    await controller.handle({ type: 'selectModel', model: 'Qwen/Qwen2.5-Coder-7B-Instruct' });
    await controller.handle({ type: 'send', text: 'Which server answers?' });
    assert.equal(h.backend.requests[0].model, 'Qwen/Qwen2.5-Coder-7B-Instruct');
    // Back on Ollama: the conversation goes on, with a model this server has.
    h.backend.models = ['qwen2.5-coder:7b'];
    controller.serverChanged();
    await controller.handle({ type: 'send', text: 'And now?' });
    assert.equal(h.backend.requests[1].model, 'qwen2.5-coder:7b');
    assert.equal(of('models').pop()?.model, 'qwen2.5-coder:7b', 'the picker shows it');
    // A model the new server has stays picked.
    await controller.handle({ type: 'selectModel', model: 'qwen2.5-coder:7b' });
    controller.serverChanged();
    await controller.handle({ type: 'send', text: 'Still?' });
    assert.equal(h.backend.requests[2].model, 'qwen2.5-coder:7b');
  });

  it('sends with the current file and selection attached, and streams to the page', async () => {
    await setup();
    await controller.handle({ type: 'ready', protocol: PROTOCOL_VERSION });
    await controller.handle({ type: 'send', text: 'What does twice do?' });
    const sent = h.backend.requests[0].messages[1].content;
    assert.ok(sent.startsWith('Selected code from `src/app.ts` (lines 2-4):'));
    assert.ok(sent.includes('File `src/app.ts`:\n```typescript\nexport const answer = 42;'));
    assert.ok(sent.endsWith('What does twice do?'));
    const added = of('messageAdded');
    assert.deepEqual(
      added.map((m) => m.message.role),
      ['user', 'assistant'],
    );
    assert.deepEqual(
      added[0].message.attachments?.map((a) => a.label),
      ['app.ts:2-4', 'app.ts'],
    );
    const chunks = of('chunk');
    assert.equal(
      chunks
        .filter((c) => !c.done)
        .map((c) => c.content)
        .join(''),
      'Sure.',
    );
    const end = chunks[chunks.length - 1];
    assert.equal(end.done, true);
    assert.equal(end.end?.status, 'done');
    assert.equal(end.end?.stats?.tokens, 12);
    assert.equal(end.end?.stats?.tokensPerSecond, 30);
  });

  it('a removed chip is not sent; an explicit chip is used once', async () => {
    await setup();
    await controller.handle({ type: 'ready', protocol: PROTOCOL_VERSION });
    await controller.handle({ type: 'toggleChip', id: 'auto:file' });
    await controller.handle({ type: 'toggleChip', id: 'auto:selection' });
    const chips = of('chips').pop()!.chips;
    assert.deepEqual(
      chips.map((c) => c.enabled),
      [false, false],
    );
    await controller.handle({ type: 'addContext', source: 'problems' });
    assert.equal(of('chips').pop()!.chips[0].label, 'Problems in app.ts');
    await controller.handle({ type: 'send', text: 'Fix it' });
    assert.equal(h.backend.requests[0].messages[1].content, 'Problems reported in `src/app.ts`:\n```\n- line 1:14 error: Oops (ts)\n  `export const answer = 42;`\n```\n\nFix it');
    await controller.handle({ type: 'send', text: 'Again' });
    assert.equal(h.backend.requests[1].messages[3].content, 'Again', 'explicit chips are used up; auto chips stay off');
  });

  it('@file of the current file and Add Selection to Chat give one chip each, not two (issue 17)', async () => {
    await setup();
    await controller.handle({ type: 'ready', protocol: PROTOCOL_VERSION });
    const labels = () => of('chips').pop()!.chips.map((c) => c.label);
    ide.picked = APP;
    await controller.handle({ type: 'addContext', source: 'file' });
    await controller.handle({ type: 'addContext', source: 'selection' });
    assert.deepEqual(labels(), ['app.ts', 'app.ts:2-4']);
    await controller.handle({ type: 'send', text: 'Explain' });
    const sent = h.session.conversation.messages[0].attachments!.map((a) => a.label);
    assert.deepEqual(sent.sort(), ['app.ts', 'app.ts:2-4']);
  });

  it('never attaches an excluded file, not even through @file', async () => {
    await setup();
    ide.editor = { file: ENV, selection: { range: { startLine: 1, endLine: 1 }, text: 'API_KEY=super-secret-value' } };
    await controller.handle({ type: 'ready', protocol: PROTOCOL_VERSION });
    const chip = of('init')[0].chips[0];
    assert.equal(chip.enabled, false);
    assert.match(chip.detail ?? '', /exclude/);
    ide.picked = ENV;
    await controller.handle({ type: 'addContext', source: 'file' });
    assert.equal(ide.lastPickFilter?.({ fsPath: '/w/.env', relativePath: '.env' }), false, 'the quick pick does not list it');
    assert.equal(ide.lastPickFilter?.({ fsPath: '/w/src/app.ts', relativePath: 'src/app.ts' }), true);
    await controller.handle({ type: 'addContext', source: 'selection' });
    await controller.attach([{ kind: 'file', label: '.env', path: '.env', content: 'API_KEY=super-secret-value' }]);
    await controller.handle({ type: 'send', text: 'What is in my env?' });
    const everything = JSON.stringify(h.backend.requests);
    assert.ok(!everything.includes('super-secret-value'));
    assert.ok(ide.calls.some((c) => c[0] === 'warning' && /exclude/.test(String(c[1]))));
  });

  it('code block actions reach the editor and are answered by request id', async () => {
    await setup();
    await controller.handle({ type: 'codeAction', requestId: 7, action: 'apply', code: 'const a = 1;', language: 'ts' });
    await controller.handle({ type: 'codeAction', requestId: 8, action: 'newFile', code: 'x', language: 'py' });
    await controller.handle({ type: 'codeAction', requestId: 9, action: 'copy', code: 'y' });
    ide.fail = 'Open a file first.';
    await controller.handle({ type: 'codeAction', requestId: 10, action: 'insert', code: 'z' });
    assert.deepEqual(
      ide.calls.map((c) => c[0]),
      ['apply', 'newFile', 'copy', 'insert'],
    );
    assert.deepEqual(
      of('reply').map((r) => [r.requestId, r.ok, r.message]),
      [
        [7, true, undefined],
        [8, true, undefined],
        [9, true, undefined],
        [10, false, 'Open a file first.'],
      ],
    );
  });

  it('marks the work and tells the completion scheduler while an answer streams', async () => {
    await setup(untilAborted(['Thinking about it']));
    await controller.handle({ type: 'ready', protocol: PROTOCOL_VERSION });
    const sending = controller.handle({ type: 'send', text: 'Long question' });
    while (!of('chunk').length) await flush();
    assert.deepEqual(busy, [true]);
    assert.deepEqual(work, ['begin Chat']);
    assert.equal(of('busy').pop()?.busy, true);
    await controller.handle({ type: 'stop' });
    await sending;
    assert.deepEqual(busy, [true, false]);
    assert.deepEqual(work, ['begin Chat', 'end Chat']);
    assert.equal(of('chunk').pop()?.end?.status, 'stopped');
  });

  it('offers to pull a missing model, and pulls it through the command', async () => {
    await setup(failsWith(modelNotFound('qwen2.5-coder:7b')));
    await controller.handle({ type: 'send', text: 'Hi' });
    const end = of('chunk').pop()!;
    assert.equal(end.end?.status, 'error');
    assert.equal(end.end?.error?.pullModel, 'qwen2.5-coder:7b');
    await controller.handle({ type: 'pullModel', model: 'qwen2.5-coder:7b' });
    assert.deepEqual(ide.calls.pop(), ['command', 'qwenLocal.pullModel', 'qwen2.5-coder:7b']);
  });

  it('ask() shows the panel and streams the answer there (the API for other features)', async () => {
    await setup(answer('It doubles x.'));
    const result = await controller.ask({
      prompt: 'Explain',
      attachments: [{ kind: 'selection', label: 'app.ts:2-4', path: 'src/app.ts', uri: APP.uri, range: { startLine: 2, endLine: 4 }, content: 'return x * 2;' }],
    });
    assert.equal(result?.content, 'It doubles x.');
    assert.deepEqual(ide.calls[0], ['reveal', true]);
    const sent = h.backend.requests[0].messages[1].content;
    assert.equal((sent.match(/Selected code from/g) ?? []).length, 1, 'the same selection is not sent twice');
    assert.ok(sent.includes('File `src/app.ts`'));
    assert.ok(sent.endsWith('Explain'));
  });

  it('ask() can start a new conversation and leave out the editor context', async () => {
    await setup();
    await controller.ask({ prompt: 'First', reveal: false });
    const first = h.session.conversation.id;
    await controller.ask({ prompt: 'Second', newConversation: true, editorContext: false, reveal: false });
    assert.notEqual(h.session.conversation.id, first);
    assert.equal(h.backend.requests[1].messages.length, 2);
    assert.equal(h.backend.requests[1].messages[1].content, 'Second');
  });

  it('exports the conversation through the save dialog', async () => {
    await setup();
    await controller.handle({ type: 'send', text: 'Hello' });
    await controller.exportConversation();
    const save = ide.calls.find((c) => c[0] === 'save')!;
    assert.equal(save[1], 'hello.md');
    assert.match(String(save[2]), /## You\n\n> Context: `src\/app\.ts` \(lines 2-4\)\n> Context: `src\/app\.ts`\n\nHello\n\n## Qwen/);
    assert.ok(ide.calls.some((c) => c[0] === 'info' && /exported to \/w\/hello\.md/.test(String(c[1]))));
  });

  it('renames, deletes and switches conversations from the page', async () => {
    await setup();
    await controller.handle({ type: 'send', text: 'One' });
    const one = h.session.conversation.id;
    await h.session.newConversation();
    await controller.handle({ type: 'send', text: 'Two' });
    await controller.handle({ type: 'renameConversation', id: one });
    assert.equal(h.session.list().find((c) => c.id === one)?.title, 'One (renamed)');
    await controller.handle({ type: 'switchConversation', id: one });
    assert.equal(of('conversation').pop()?.conversation.id, one);
    await controller.handle({ type: 'deleteConversation', id: one });
    assert.ok(!h.session.list().some((c) => c.id === one));
  });

  it('passes links to the editor adapter (which checks them) and copies answers', async () => {
    await setup();
    await controller.handle({ type: 'send', text: 'Q' });
    await controller.handle({ type: 'openLink', href: 'javascript:alert(1)' });
    assert.deepEqual(ide.calls.pop(), ['openLink', 'javascript:alert(1)']);
    const answerId = h.session.conversation.messages[1].id;
    await controller.handle({ type: 'copyMessage', requestId: 3, messageId: answerId });
    assert.deepEqual(ide.calls.pop(), ['copy', 'Sure.']);
    assert.deepEqual(of('reply').pop(), { type: 'reply', requestId: 3, ok: true });
  });

  it('lists only chat models', () => {
    assert.deepEqual(chatModels(['b:7b', 'nomic-embed-text', 'a:1b', 'mxbai-embed-large']), ['a:1b', 'b:7b']);
  });
});
