import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { HISTORY_FILE, HistoryStore, parseHistory } from '../../../src/chat/history';
import type { StoredConversation } from '../../../src/chat/types';
import { tempDir } from './helpers';

function conversation(id: string, updatedAt: number, text = 'hello', messages = 2): StoredConversation {
  return {
    id,
    title: `Conversation ${id}`,
    createdAt: updatedAt - 10,
    updatedAt,
    messages: Array.from({ length: messages }, (_, i) => ({
      id: `${id}-${i}`,
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `${text} ${i}`,
      createdAt: updatedAt - 10 + i,
    })),
  };
}

describe('chat history store', () => {
  let temp: ReturnType<typeof tempDir>;
  const warnings: string[] = [];
  const open = (extra: Partial<Parameters<typeof HistoryStore.open>[0]> = {}) =>
    HistoryStore.open({ dir: temp.dir, warn: (m) => warnings.push(m), ...extra });
  const file = () => path.join(temp.dir, HISTORY_FILE);

  beforeEach(() => {
    temp = tempDir();
    warnings.length = 0;
  });
  afterEach(() => temp.cleanup());

  it('starts empty when there is no file, and survives a reload', async () => {
    const store = await open();
    assert.deepEqual(store.list(), []);
    store.put(conversation('a', 100));
    store.put(conversation('b', 200));
    await store.save();
    const again = await open();
    assert.deepEqual(
      again.list().map((c) => c.id),
      ['b', 'a'],
    );
    assert.equal(again.get('a')?.messages[1].content, 'hello 1');
    assert.deepEqual(warnings, []);
  });

  it('creates its folder and leaves no temporary files behind', async () => {
    const dir = path.join(temp.dir, 'nested', 'storage');
    const store = await HistoryStore.open({ dir, warn: (m) => warnings.push(m) });
    store.put(conversation('a', 1));
    await store.save();
    assert.deepEqual(readdirSync(dir), [HISTORY_FILE]);
  });

  it('keeps the previous history when a writer is killed between writing and renaming', async function () {
    this.timeout(30_000);
    const store = await open();
    store.put(conversation('before', 100, 'precious'));
    await store.save();
    const previous = readFileSync(file(), 'utf8');

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../fixtures/chat/crash-writer.ts'), temp.dir, '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        if (data.toString().includes('BEFORE_RENAME')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the writer exited early (${code})`)));
    });
    const temps = readdirSync(temp.dir).filter((n) => n.includes('.tmp-'));
    assert.equal(temps.length, 1, 'the new history was fully written to a temporary file');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    assert.equal(readFileSync(file(), 'utf8'), previous, 'the history file is untouched');
    const reopened = await open();
    assert.deepEqual(
      reopened.list().map((c) => c.id),
      ['before'],
    );
    assert.equal(reopened.get('before')?.messages[0].content, 'precious 0');
    assert.deepEqual(readdirSync(temp.dir), [HISTORY_FILE], 'the leftover temporary file was cleaned up');
    assert.deepEqual(warnings, []);
  });

  it('keeps the previous history when a writer is killed while writing the temporary file', async function () {
    this.timeout(30_000);
    const store = await open();
    store.put(conversation('before', 100, 'precious'));
    await store.save();
    const previous = readFileSync(file(), 'utf8');

    // 32 MB takes a while to write: kill as soon as the temporary file appears.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../fixtures/chat/crash-writer.ts'), temp.dir, '32'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        if (!data.toString().includes('WRITING')) return;
        const poll = setInterval(() => {
          if (readdirSync(temp.dir).some((n) => n.includes('.tmp-'))) {
            clearInterval(poll);
            child.kill('SIGKILL');
            resolve();
          }
        }, 1);
      });
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`the writer exited on its own (${code})`));
      });
    });
    await new Promise((resolve) => child.on('exit', resolve));

    assert.equal(readFileSync(file(), 'utf8'), previous);
    const reopened = await open();
    assert.deepEqual(
      reopened.list().map((c) => c.id),
      ['before'],
    );
    assert.deepEqual(warnings, []);
  });

  it('a failed write (simulated crash before the rename) leaves the previous file and no temp file', async () => {
    const store = await open({
      hooks: {
        beforeRename: () => {
          throw new Error('simulated crash');
        },
      },
    });
    store.put(conversation('x', 1));
    await assert.rejects(store.save(), /simulated crash/);
    assert.deepEqual(readdirSync(temp.dir), []);
  });

  it('sets a corrupt file aside, warns, and starts fresh', async () => {
    writeFileSync(file(), '{"version":1,"conversations":[{"id":"a","mess');
    const store = await open({ now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    assert.deepEqual(store.list(), []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /not valid JSON/);
    assert.match(warnings[0], /set aside as chat-history\.json\.corrupt-2025-01-02T03-04-05-000Z/);
    const aside = readdirSync(temp.dir).filter((n) => n.startsWith(`${HISTORY_FILE}.corrupt-`));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(path.join(temp.dir, aside[0]), 'utf8'), '{"version":1,"conversations":[{"id":"a","mess');
    assert.ok(!existsSync(file()));
    store.put(conversation('fresh', 5));
    await store.save();
    assert.deepEqual(
      (await open()).list().map((c) => c.id),
      ['fresh'],
    );
  });

  it('sets aside a file of another format', async () => {
    writeFileSync(file(), JSON.stringify({ version: 99, conversations: [] }));
    const store = await open();
    assert.deepEqual(store.list(), []);
    assert.match(warnings[0], /not in a format/);
  });

  it('keeps the readable conversations of a partly damaged file (and a copy of the original)', async () => {
    const good = conversation('good', 10);
    writeFileSync(file(), JSON.stringify({ version: 1, conversations: [good, { id: 'bad', messages: [{ role: 'robot' }] }, 42] }));
    const store = await open();
    assert.deepEqual(
      store.list().map((c) => c.id),
      ['good'],
    );
    assert.match(warnings[0], /2 unreadable conversation/);
    assert.ok(readdirSync(temp.dir).some((n) => n.includes('.corrupt-')));
    // The cleaned history was written back.
    assert.deepEqual(
      parseHistory(readFileSync(file(), 'utf8')).ok && JSON.parse(readFileSync(file(), 'utf8')).conversations.length,
      1,
    );
  });

  it('an answer saved while streaming is marked as stopped when loaded', async () => {
    const c = conversation('s', 1);
    c.messages[1].status = 'streaming';
    writeFileSync(file(), JSON.stringify({ version: 1, conversations: [c] }));
    const store = await open();
    assert.equal(store.get('s')?.messages[1].status, 'stopped');
    assert.equal(store.get('s')?.messages[1].content, 'hello 1');
  });

  it('drops the oldest conversations beyond the count limit', async () => {
    const store = await open({ maxConversations: 3 });
    for (let i = 1; i <= 5; i++) store.put(conversation(`c${i}`, i * 100));
    await store.save();
    const ids = (await open()).list().map((c) => c.id);
    assert.deepEqual(ids, ['c5', 'c4', 'c3']);
  });

  it('drops the oldest conversations beyond the size limit', async () => {
    const store = await open({ maxBytes: 20_000 });
    for (let i = 1; i <= 10; i++) store.put(conversation(`c${i}`, i, 'y'.repeat(3_000)));
    await store.save();
    const size = readFileSync(file()).length;
    assert.ok(size <= 20_000, `file is ${size} bytes`);
    const ids = (await open()).list().map((c) => c.id);
    assert.equal(ids[0], 'c10');
    assert.ok(ids.length >= 2 && ids.length < 10);
    assert.ok(!ids.includes('c1'));
    // The survivors are the most recent ones, in order.
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => `c${10 - i}`));
  });

  it('trims the oldest messages of a single conversation larger than the limit', async () => {
    const store = await open({ maxBytes: 10_000 });
    store.put(conversation('huge', 1, 'z'.repeat(1_000), 40));
    await store.save();
    const kept = (await open()).get('huge')!;
    assert.ok(kept.messages.length >= 2 && kept.messages.length < 40);
    assert.equal(kept.messages[kept.messages.length - 1].id, 'huge-39');
  });

  it('shortens a single exchange larger than the limit instead of writing it whole (security finding 8)', async () => {
    const store = await open({ maxBytes: 64 * 1024 });
    const big = conversation('big', 1, 'q'.repeat(1_000_000), 2);
    big.messages[1].thinking = 't'.repeat(200_000);
    big.messages[0].attachments = [{ id: 'f', kind: 'file', label: 'a.ts', path: 'a.ts', content: 'f'.repeat(300_000) }];
    store.put(big);
    await store.save();
    const size = readFileSync(file()).length;
    assert.ok(size <= 64 * 1024, `file is ${size} bytes`);
    const kept = (await open({ maxBytes: 64 * 1024 })).get('big')!;
    assert.deepEqual(kept.messages.map((m) => m.id), ['big-0', 'big-1']);
    assert.ok(kept.messages[1].content.startsWith('qqq'), 'the beginning is kept');
    assert.match(kept.messages[1].content, /Shortened to fit/);
    assert.equal(store.get('big')!.messages[1].content.length, 1_000_002, 'memory keeps it whole');
  });

  it('keeps only the newest few set-aside copies of a broken history (security finding 8)', async () => {
    for (let i = 0; i < 6; i++) {
      writeFileSync(file(), 'not json');
      await open({ now: () => Date.UTC(2025, 0, 1 + i) });
    }
    const aside = readdirSync(temp.dir).filter((n) => n.startsWith(`${HISTORY_FILE}.corrupt-`)).sort();
    assert.equal(aside.length, 3);
    assert.match(aside[2], /corrupt-2025-01-06/);
  });

  it('sets a file too large to be a history aside without reading it (security finding 8)', async () => {
    writeFileSync(file(), JSON.stringify({ version: 1, conversations: [conversation('x', 1, 'w'.repeat(200_000))] }));
    const store = await open({ maxReadBytes: 100_000 });
    assert.deepEqual(store.list(), []);
    assert.match(warnings[0], /too large to load/);
    assert.ok(readdirSync(temp.dir).some((n) => n.includes('.corrupt-')));
  });

  it('serializes concurrent saves and writes the latest state', async () => {
    let writes = 0;
    const store = await open({ hooks: { beforeRename: () => void writes++ } });
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      store.put(conversation('c', i, `v${i}`));
      saves.push(store.save());
    }
    await Promise.all(saves);
    assert.ok(writes <= 3, `${writes} writes for 20 saves`);
    assert.equal((await open()).get('c')?.messages[0].content, 'v19 0');
  });

  it('coalesces scheduled saves and flushes them on dispose', async () => {
    let writes = 0;
    const store = await open({ hooks: { beforeRename: () => void writes++ } });
    for (let i = 0; i < 10; i++) {
      store.put(conversation('c', i, `v${i}`));
      store.scheduleSave(10_000);
    }
    assert.equal(writes, 0);
    await store.dispose();
    assert.equal(writes, 1);
    assert.equal((await open()).get('c')?.messages[0].content, 'v9 0');
  });

  it('deletes conversations', async () => {
    const store = await open();
    store.put(conversation('a', 1));
    store.put(conversation('b', 2));
    assert.equal(store.delete('a'), true);
    await store.save();
    assert.deepEqual(
      (await open()).list().map((c) => c.id),
      ['b'],
    );
  });
});
