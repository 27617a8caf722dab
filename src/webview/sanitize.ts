// Sanitizing model output before it reaches the page's DOM.
//
// Two layers:
// 1. DOMPurify with an allow-list: formatting tags only, a handful of attributes, links limited to
//    http(s), file and relative paths. No ids or names (DOM clobbering), no styles (the CSP forbids
//    them anyway), no forms, media, frames, SVG or MathML.
// 2. `enforceInert`, a plain walk over the result that removes anything outside the same allow-list.
//    It does not depend on DOMPurify's tricks, so a bug in either layer alone lets nothing through.

import createDOMPurify, { type Config } from 'dompurify';

// No <pre>, <details> or <summary>: code blocks are built by the page from fenced source only
// (codeblock.ts), and folded parts could hide text inside what looks like a code block.
export const ALLOWED_TAGS: readonly string[] = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'code', 'dd', 'del', 'div', 'dl', 'dt',
  'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'ins', 'kbd', 'li', 'mark', 'ol', 'p',
  'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'table', 'tbody', 'td',
  'tfoot', 'th', 'thead', 'tr', 'u', 'ul', 'var',
];

export const ALLOWED_ATTR: readonly string[] = ['href', 'title', 'class', 'align', 'colspan', 'rowspan', 'start', 'reversed'];

/** Explicitly forbidden even if someone widens the allow-list by mistake. */
const FORBID_TAGS = [
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link',
  'form', 'input', 'button', 'textarea', 'select', 'option', 'svg', 'math', 'img', 'image', 'video',
  'audio', 'source', 'track', 'picture', 'template', 'noscript', 'portal', 'dialog',
];
const FORBID_ATTR = ['style', 'id', 'name', 'src', 'srcdoc', 'srcset', 'action', 'formaction', 'background', 'xlink:href', 'ping', 'target', 'is'];

const ALLOWED_TAG_SET = new Set(ALLOWED_TAGS);
const ALLOWED_ATTR_SET = new Set(ALLOWED_ATTR);

/** Class names the page may carry from rendered output: highlight.js tokens and code languages. */
const SAFE_CLASS = /^(hljs(-[a-z0-9_-]+)?|language-[a-z0-9_+#.-]+|[a-z]+_+)$/i;

// The browser drops tabs and newlines anywhere in a URL and C0 controls and spaces at its ends, so
// "java\nscript:" is javascript:. Remove them all before looking at the scheme.
// eslint-disable-next-line no-control-regex -- those characters are the point
const URL_NOISE = /[\u0000-\u0020\u007f-\u009f\u00a0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]/g;

/** Links the page keeps: http(s), file and relative paths. The host checks again before opening. */
export function isSafeHref(href: string): boolean {
  const v = href.replace(URL_NOISE, '');
  if (!v) return false;
  if (v.startsWith('//') || v.startsWith('\\\\') || v.startsWith('/\\') || v.startsWith('\\/')) return false;
  const scheme = /^([^/?#:]*):/.exec(v)?.[1];
  if (scheme === undefined) return true;
  // A Windows drive letter is a path, not a scheme.
  if (/^[a-z]$/i.test(scheme)) return /^[a-z]:[\\/]/i.test(v);
  return /^(https?|file)$/i.test(scheme);
}

function safeClasses(value: string): string {
  return value
    .split(/\s+/)
    .filter((c) => c && SAFE_CLASS.test(c))
    .join(' ');
}

/** Layer 2: removes whatever is outside the allow-list. Returns how many things it removed. */
export function enforceInert(root: ParentNode): number {
  let removed = 0;
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const tag = el.localName.toLowerCase();
    if (!ALLOWED_TAG_SET.has(tag) || el.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
      el.remove();
      removed++;
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      let keep = ALLOWED_ATTR_SET.has(name) && !name.startsWith('on');
      if (keep && name === 'href') keep = isSafeHref(attr.value);
      if (keep && name === 'class') {
        const cleaned = safeClasses(attr.value);
        if (cleaned !== attr.value) {
          if (cleaned) el.setAttribute('class', cleaned);
          else keep = false;
          removed++;
        }
      }
      if (!keep) {
        el.removeAttribute(attr.name);
        removed++;
      }
    }
  }
  return removed;
}

export interface Sanitizer {
  /** Sanitized nodes, ready to insert. */
  fragment(html: string): DocumentFragment;
  /** Sanitized markup (for tests and for measuring). */
  html(html: string): string;
}

export function createSanitizer(window: Window): Sanitizer {
  // A browser window has the constructors DOMPurify needs; lib.dom's Window type just does not list them.
  const purify = createDOMPurify(window as unknown as Window & typeof globalThis);
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName === 'class') {
      data.attrValue = safeClasses(data.attrValue);
      if (!data.attrValue) data.keepAttr = false;
    }
    if (data.attrName === 'href' && !isSafeHref(data.attrValue)) data.keepAttr = false;
  });
  const config: Config = {
    // 'body' is the parse root DOMPurify walks from: allowed so it is cleaned in place (its attributes
    // removed) instead of having its children cloned out of it; it is never part of the result.
    ALLOWED_TAGS: [...ALLOWED_TAGS, 'body'],
    ALLOWED_ATTR: [...ALLOWED_ATTR],
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    ALLOW_SELF_CLOSE_IN_ATTR: false,
    ALLOWED_URI_REGEXP: /^(?:(?:https?|file):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
    USE_PROFILES: false,
    KEEP_CONTENT: true,
    SAFE_FOR_TEMPLATES: false,
    WHOLE_DOCUMENT: false,
    SANITIZE_DOM: true,
  };
  return {
    fragment(html: string): DocumentFragment {
      const fragment = purify.sanitize(html, { ...config, RETURN_DOM_FRAGMENT: true });
      enforceInert(fragment);
      return fragment;
    },
    html(html: string): string {
      const holder = window.document.createElement('div');
      holder.append(this.fragment(html));
      return holder.innerHTML;
    },
  };
}
