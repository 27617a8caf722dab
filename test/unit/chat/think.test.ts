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
