import * as assert from 'node:assert/strict';
import { closeWindow, createBrowserLikeWindow } from './happydom';

describe('test window (happy-dom made browser-like for DOMPurify)', () => {
  it('reports element names through Node.prototype as browsers do', async () => {
    const w = createBrowserLikeWindow();
    const a = w.document.createElement('a');
    const getter = Object.getOwnPropertyDescriptor(w.Node.prototype, 'nodeName')!.get!;
    assert.equal(getter.call(a), 'A');
    assert.equal(getter.call(w.document.createTextNode('x')), '#text');
    await closeWindow(w);
  });

  it('its NodeIterator continues after the current node is removed', async () => {
    const w = createBrowserLikeWindow();
    const root = w.document.createElement('div');
    root.innerHTML = '<b>1</b><i>2</i><u><s>3</s></u>';
    const it = w.document.createNodeIterator(root, 0xffffffff, null);
    const seen: string[] = [];
    for (let n = it.nextNode(); n; n = it.nextNode()) {
      seen.push(n.nodeName);
      if (n.nodeName === 'B' || n.nodeName === 'S') (n as Element).remove();
    }
    assert.deepEqual(seen, ['DIV', 'B', 'I', '#text', 'U', 'S']);
    await closeWindow(w);
  });

  it('its NodeIterator honours whatToShow', async () => {
    const w = createBrowserLikeWindow();
    const root = w.document.createElement('div');
    root.innerHTML = '<b>1</b><!--c-->';
    const it = w.document.createNodeIterator(root, 0x1 /* SHOW_ELEMENT */, null);
    const seen: string[] = [];
    for (let n = it.nextNode(); n; n = it.nextNode()) seen.push(n.nodeName);
    assert.deepEqual(seen, ['DIV', 'B']);
    await closeWindow(w);
  });
});
