import * as assert from 'node:assert/strict';
import { splitThink, ThinkStream } from '../../../src/chat/think';

describe('think-tag splitting', () => {
  it('splits a complete <think> block from the answer', () => {
    assert.deepEqual(splitThink('<think>\nStep 1.\nStep 2.\n</think>\n\nThe answer.', true), {
      thinking: 'Step 1.\nStep 2.',
      answer: 'The answer.',
      thinkingOpen: false,
    });
  });

  it('allows whitespace before the opening tag', () => {
    assert.equal(splitThink('\n  <think>x</think>y', true).answer, 'y');
  });

  it('an open block is still thinking; the partial closing tag is held back', () => {
    assert.deepEqual(splitThink('<think>Considering</th', false), { thinking: 'Considering', answer: '', thinkingOpen: true });
    assert.deepEqual(splitThink('<think>Cut off', true), { thinking: 'Cut off', answer: '', thinkingOpen: false });
  });

  it('holds back a start that may become <think>', () => {
    assert.deepEqual(splitThink('<thi', false), { thinking: '', answer: '', thinkingOpen: false });
    assert.deepEqual(splitThink('<thi', true), { thinking: '', answer: '<thi', thinkingOpen: false });
    assert.equal(splitThink('<b>bold</b>', false).answer, '<b>bold</b>');
  });

  it('handles a template that opened <think> in the prompt (only the close is streamed)', () => {
    assert.deepEqual(splitThink('I should greet.\n</think>\n\nHello!', true), { thinking: 'I should greet.', answer: 'Hello!', thinkingOpen: false });
  });

  it('leaves an answer that talks about the tags alone', () => {
    const text = 'Use it like this:\n\n```xml\n<think>x</think>\n```';
    assert.deepEqual(splitThink(text, true), { thinking: '', answer: text, thinkingOpen: false });
    assert.equal(splitThink('Models write <think> first.', true).answer, 'Models write <think> first.');
  });

  it('an empty think block (thinking disabled) leaves only the answer', () => {
    assert.deepEqual(splitThink('<think>\n\n</think>\n\nDirect answer.', true), { thinking: '', answer: 'Direct answer.', thinkingOpen: false });
  });

  it('streams as deltas that add up to the split of the whole text', () => {
    const text = '<think>\nLet me think about this carefully.\n</think>\n\nHere is **the** answer.\n';
    for (const size of [1, 2, 3, 5, 8]) {
      const stream = new ThinkStream();
      let thinking = '';
      let content = '';
      for (let i = 0; i < text.length; i += size) {
        const d = stream.push(text.slice(i, i + size));
        assert.equal(d.replace, false, `size ${size} at ${i}`);
        thinking += d.thinking;
        content += d.content;
        assert.ok(!content.includes('<'), `no tag shown (size ${size}): ${content}`);
      }
      const last = stream.push('', true);
      thinking += last.thinking;
      content += last.content;
      assert.equal(thinking, 'Let me think about this carefully.');
      assert.equal(content, 'Here is **the** answer.\n');
    }
  });

  it('asks for a replace when a late </think> turns shown text into thinking', () => {
    const stream = new ThinkStream();
    assert.equal(stream.push('Hmm, reasoning').content, 'Hmm, reasoning');
    const d = stream.push('</think>Answer');
    assert.deepEqual(d, { content: 'Answer', thinking: 'Hmm, reasoning', replace: true });
  });

  it('a continuation appends to the previous answer and drops its own thinking', () => {
    const stream = ThinkStream.resume('old thoughts', 'Part one, ');
    const d1 = stream.push('<think>new thoughts</think>part two.');
    const final = stream.push('', true);
    assert.equal(d1.content + final.content, 'part two.');
    assert.deepEqual(stream.current, { thinking: 'old thoughts', answer: 'Part one, part two.', thinkingOpen: false });
  });
});

describe('ThinkStream (incremental)', () => {
  const PIECES = ['<think>', '</think>', '<thi', '</th', 'nk>', '\n', '  ', ' ', 'word', '```', '~~~', '```ts\n', '\n```\n', 'x', '<', '>', '</', '\t'];

  /** Deterministic pseudo-random numbers (a test that fails says which seed). */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  }

  it('always shows what splitThink of the whole text says, for any text cut anywhere', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      let text = '';
      for (let n = Math.floor(r() * 14); n >= 0; n--) text += PIECES[Math.floor(r() * PIECES.length)];
      const stream = new ThinkStream();
      let thinking = '';
      let content = '';
      let raw = '';
      for (let i = 0; i < text.length; ) {
        const size = 1 + Math.floor(r() * 6);
        const piece = text.slice(i, i + size);
        i += size;
        raw += piece;
        const d = stream.push(piece);
        thinking = d.replace ? d.thinking : thinking + d.thinking;
        content = d.replace ? d.content : content + d.content;
        const expected = splitThink(raw, false);
        assert.deepEqual(stream.current, expected, `seed ${seed}: ${JSON.stringify(raw)}`);
        assert.deepEqual({ thinking, answer: content }, { thinking: expected.thinking, answer: expected.answer }, `seed ${seed} deltas: ${JSON.stringify(raw)}`);
      }
      const d = stream.push('', true);
      thinking = d.replace ? d.thinking : thinking + d.thinking;
      content = d.replace ? d.content : content + d.content;
      const expected = splitThink(text, true);
      assert.deepEqual(stream.current, expected, `seed ${seed} final: ${JSON.stringify(text)}`);
      assert.deepEqual({ thinking, answer: content }, { thinking: expected.thinking, answer: expected.answer }, `seed ${seed} final deltas`);
    }
  });

  it('a long answer in small pieces costs its length, not its length squared (security finding 7)', () => {
    for (const head of ['<think>', '', 'Answer: ']) {
      const stream = new ThinkStream();
      const piece = `${'word '.repeat(12)}abc\n`; // 64 characters
      const started = performance.now();
      for (let i = 0; i < 16_384; i++) stream.push(i === 0 ? head + piece : piece); // 1 MiB
      stream.push('', true);
      const ms = performance.now() - started;
      // Rescanning the whole text per piece took about a minute here; one pass takes milliseconds.
      assert.ok(ms < 1_500, `${JSON.stringify(head)}: ${Math.round(ms)} ms for 1 MiB in 64-character pieces`);
      assert.ok(stream.current.answer.length + stream.current.thinking.length > 900_000);
    }
  });
});
