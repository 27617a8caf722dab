// The whole propose flow (request, diff, stream, outcome, messages) behind a plain-object editor,
// with the real Ollama backend against the simulator.

import assert from 'node:assert/strict';
import type { Config } from '../../../src/config';
import { OllamaBackend } from '../../../src/backend/ollama';
import { createLogger } from '../../../src/log';
import type { ActionsIde, Severity } from '../../../src/actions/ide';
import { Proposal, ProposalRegistry } from '../../../src/actions/proposal';
import { propose, proposeText, type ActionsContext, type ChangeSpec } from '../../../src/actions/propose';
import { codeRenderer } from '../../../src/actions/render';
import type { Services } from '../../../src/services';
import { DEFAULTS } from '../../../src/settings';
import { OllamaSimulator } from '../../sim/simulator';

const CHAT = 'qwen2.5-coder:1.5b-instruct';
const TEXT = 'const a = 0;\n';

class RecordingIde implements ActionsIde {
  readonly shown: Proposal[] = [];
  /** The proposal's state as its diff opened (what an Accept clicked at once would meet). */
  readonly stateWhenShown: string[] = [];
  readonly notes: { severity: Severity; message: string }[] = [];
  readonly flashes: string[] = [];
  progressTitles: string[] = [];
  async showProposal(proposal: Proposal): Promise<void> {
    this.shown.push(proposal);
    this.stateWhenShown.push(proposal.state);
  }
  async withProgress<T>(title: string, _controller: AbortController, body: () => Promise<T>): Promise<T> {
    this.progressTitles.push(title);
    return body();
  }
  flash(text: string): void {
    this.flashes.push(text);
  }
  async notify(severity: Severity, message: string): Promise<string | undefined> {
    this.notes.push({ severity, message });
    return undefined;
  }
  async runCommand(): Promise<void> {}
}

describe('actions/propose: the flow behind a plain-object editor', function () {
  this.timeout(15_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 5, tokenMs: 1 } });
  let ide: RecordingIde;
  let ctx: ActionsContext;
  let logLines: string[];

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    ide = new RecordingIde();
    logLines = [];
    const sink = { error: (m: string) => logLines.push(m), warn: (m: string) => logLines.push(m), info: (m: string) => logLines.push(m), debug: (m: string) => logLines.push(`debug ${m}`) };
    const backend = new OllamaBackend({ host: sim.url });
    const services: Services = {
      // Only `settings` is read by the actions; the real Config needs VS Code.
      config: { settings: DEFAULTS } as unknown as Config,
      log: createLogger(sink, () => 'info'),
      backend: () => backend,
      status: { beginWork: () => () => {}, setLoading: () => {}, reportError: () => {}, reportOk: () => {} },
      models: { completionModel: () => 'qwen2.5-coder:1.5b-base', chatModel: () => CHAT, completionNumCtx: () => 4096, chatNumCtx: () => 8192 },
      holdServer: () => () => {},
    };
    ctx = { services, ide, proposals: new ProposalRegistry() };
  });

  const spec = (over: Partial<ChangeSpec> = {}): ChangeSpec => ({
    what: 'Edit Selection',
    action: 'Edit',
    progress: 'writing the edit…',
    targetUri: 'file:///w/a.ts',
    originalText: TEXT,
    version: 1,
    start: 0,
    end: TEXT.length - 1,
    isNewFile: false,
    eol: '\n',
    messages: [{ role: 'user', content: 'x' }],
    maxOutputTokens: 512,
    render: codeRenderer({ indent: '', style: { insertSpaces: true, tabSize: 2 }, firstLineIndented: true, eol: '\n' }),
    ...over,
  });

  it('a whole answer leaves a ready proposal open in the one registry', async () => {
    sim.setChat('```ts\nconst a = 1;\n```');
    const { result, proposal } = await propose(ctx, spec());
    assert.equal(result, 'ready');
    assert.equal(ide.shown[0], proposal);
    assert.equal(ctx.proposals.get(proposal?.id ?? ''), proposal);
    assert.equal(proposal?.proposedText, 'const a = 1;\n');
    assert.deepEqual(ide.progressTitles, ['Qwen Local: writing the edit…']);
    assert.match(ide.flashes[0] ?? '', /Accept/);
  });

  it('a dropped stream removes the proposal and says that nothing was changed', async () => {
    sim.setChat('```ts\n' + 'const a = 1;\n'.repeat(40) + '```');
    sim.addFault({ kind: 'drop', after: 6 });
    const { result, proposal } = await propose(ctx, spec());
    assert.equal(result, 'failed');
    assert.equal(ctx.proposals.size, 0);
    assert.equal(proposal?.state, 'closed');
    await waitFor(() => ide.notes.length > 0);
    assert.match(ide.notes[0].message, /^Edit Selection: .*Nothing was changed\.$/s);
  });

  it('an answer without code is logged by its length at info, not by its text', async () => {
    sim.setChat('<think>SECRET-ANSWER-TEXT</think>');
    const { result } = await propose(ctx, spec());
    assert.equal(result, 'empty');
    assert.equal(ctx.proposals.size, 0);
    assert.ok(logLines.some((l) => /characters\) held nothing usable/.test(l)));
    assert.ok(logLines.every((l) => !l.includes('SECRET-ANSWER-TEXT')));
  });

  it("chat's Apply to File goes through the same factory and registry", async () => {
    const p = await proposeText(ctx, { action: 'Apply', targetUri: 'file:///w/a.ts', originalText: TEXT, version: 1, start: 0, end: TEXT.length, isNewFile: false, eol: '\n' }, 'const a = 2;\n');
    assert.equal(p.state, 'ready');
    assert.equal(ctx.proposals.latest(), p);
    assert.equal(ide.shown[0], p);
    // Its text is known in full: the diff opens ready, so an Accept clicked as soon as the diff
    // shows is never refused with "still being written" (seen in the real editor under load).
    assert.deepEqual(ide.stateWhenShown, ['ready']);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), 'condition not reached');
}
