// A happy-dom window that behaves like a browser where DOMPurify depends on it.
//
// happy-dom 21 differs from browsers in two places DOMPurify relies on:
// 1. `Node.prototype.nodeName` is a base getter returning "" (subclasses override it). DOMPurify reads
//    nodeName through the Node.prototype getter (clobbering protection), so every element looked
//    tagless and was dropped or skipped.
// 2. Its NodeIterator does not follow the DOM spec's "pre-removing steps": after the current node is
//    removed, `nextNode()` walks into the removed subtree and then stops, so everything after the
//    first removed element went unsanitized.
// Both are fixed here for tests only; the real webview runs in Chromium, which follows the spec.
// `test/unit/webview/happydom.test.ts` checks the fixes themselves.

import { Window as HappyWindow } from 'happy-dom';

export interface BrowserLikeOptions {
  /** Let inline handlers and scripts run: used to prove that sanitized output never runs any. */
  javascript?: boolean;
}

/** The window as the webview code sees it (the DOM lib's Window type, with its constructors). */
export type TestWindow = Window & typeof globalThis;

export function createBrowserLikeWindow(options: BrowserLikeOptions = {}): TestWindow {
  const window = new HappyWindow({
    url: 'https://webview.test/index.html',
    settings: options.javascript
      ? { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true }
      : {},
  });
  // happy-dom's Window type differs from lib.dom's in details the code under test never touches.
  const w = window as unknown as TestWindow;
  patchNodeName(w);
  patchNodeIterator(w);
  return w;
}

export function closeWindow(w: TestWindow): Promise<void> {
  return (w as unknown as HappyWindow).happyDOM.close();
}

function patchNodeName(w: TestWindow): void {
  const nodeProto = w.Node.prototype;
  for (const prop of ['nodeName', 'textContent'] as const) {
    const base = Object.getOwnPropertyDescriptor(nodeProto, prop);
    if (!base?.get) continue;
    const baseGet = base.get;
    Object.defineProperty(nodeProto, prop, {
      configurable: true,
      enumerable: base.enumerable,
      get(this: object): unknown {
        // Dispatch to the most derived getter, as a browser's single native getter does.
        for (let o = Object.getPrototypeOf(this) as object | null; o && o !== nodeProto; o = Object.getPrototypeOf(o) as object | null) {
          const d = Object.getOwnPropertyDescriptor(o, prop);
          if (d?.get) return d.get.call(this);
        }
        return baseGet.call(this);
      },
      set: base.set,
    });
  }
}

function patchNodeIterator(w: TestWindow): void {
  // DOMPurify takes `createNodeIterator` from the window's document when it is created and calls it
  // on the documents it parses, so an own property of that document is enough (and stays local).
  w.document.createNodeIterator = function createNodeIterator(
    root: Node,
    whatToShow = 0xffffffff,
    filter: NodeFilter | null = null,
  ): NodeIterator {
    return new SpecNodeIterator(root, whatToShow, filter) as unknown as NodeIterator;
  };
}

/** Forward-only NodeIterator that survives removal of the node it last returned (all DOMPurify does). */
class SpecNodeIterator {
  private reference: Node | null = null;
  /** The node before `reference` in document order when it was returned: the anchor if it is removed. */
  private anchor: Node | null = null;

  constructor(
    readonly root: Node,
    readonly whatToShow: number,
    readonly filter: NodeFilter | null,
  ) {}

  nextNode(): Node | null {
    for (;;) {
      let candidate: Node | null;
      if (this.reference === null) candidate = this.root;
      else if (this.root === this.reference || this.root.contains(this.reference)) candidate = this.following(this.reference);
      else candidate = this.anchor ? (this.anchor === this.root ? this.root.firstChild : this.following(this.anchor)) : null;
      if (candidate === null) return null;
      this.anchor = this.preceding(candidate);
      this.reference = candidate;
      if (this.accepts(candidate)) return candidate;
    }
  }

  previousNode(): Node | null {
    throw new Error('not needed by the tests');
  }

  detach(): void {}

  private accepts(node: Node): boolean {
    if (!(this.whatToShow & (1 << (node.nodeType - 1)))) return false;
    if (!this.filter) return true;
    const verdict = typeof this.filter === 'function' ? this.filter(node) : this.filter.acceptNode(node);
    return verdict === 1;
  }

  private following(node: Node): Node | null {
    if (node.firstChild) return node.firstChild;
    for (let n: Node | null = node; n && n !== this.root; n = n.parentNode) {
      if (n.nextSibling) return n.nextSibling;
    }
    return null;
  }

  private preceding(node: Node): Node | null {
    if (node === this.root) return null;
    let p = node.previousSibling;
    if (!p) return node.parentNode;
    while (p.lastChild) p = p.lastChild;
    return p;
  }
}
