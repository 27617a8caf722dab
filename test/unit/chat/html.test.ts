import * as assert from 'node:assert/strict';
import { buildChatHtml, chatCsp, makeNonce } from '../../../src/chat/html';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

describe('chat page HTML and CSP', () => {
  const nonce = 'abcDEF0123456789xyz';
  const html = buildChatHtml({
    cspSource: SOURCE,
    nonce,
    scriptUri: `${SOURCE}/ext/dist/webview.js`,
    styleUris: [`${SOURCE}/ext/dist/codicons/codicon.css`, `${SOURCE}/ext/media/chat.css`],
  });

  it('has the strict policy', () => {
    assert.equal(
      chatCsp(SOURCE, nonce),
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${SOURCE}; font-src ${SOURCE}; img-src ${SOURCE} data:; base-uri 'none'; form-action 'none'; frame-src 'none'`,
    );
  });

  it('puts the policy in a meta tag before anything loads', () => {
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.ok(meta);
    assert.equal(meta[1], chatCsp(SOURCE, nonce).replace(/'/g, "'"));
    assert.ok(html.indexOf(meta[0]) < html.indexOf('<link'));
    assert.ok(html.indexOf(meta[0]) < html.indexOf('<script'));
  });

  it('never allows inline code, eval or the network', () => {
    const csp = chatCsp(SOURCE, nonce);
    assert.ok(!csp.includes('unsafe-inline'));
    assert.ok(!csp.includes('unsafe-eval'));
    assert.ok(!csp.includes('connect-src'));
    assert.ok(!csp.includes('*'));
    assert.ok(!/script-src[^;]*https?:/.test(csp));
  });

  it('loads exactly one script, with the nonce, and no inline script or style', () => {
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [`<script nonce="${nonce}" src="${SOURCE}/ext/dist/webview.js">`]);
    assert.ok(/<script[^>]*><\/script>/.test(html), 'the script tag is empty');
    assert.ok(!/<style/i.test(html));
    assert.ok(!/\sstyle=/i.test(html));
    assert.ok(!/\son[a-z]+=/i.test(html));
    assert.equal((html.match(/<link rel="stylesheet"/g) ?? []).length, 2);
  });

  it('escapes asset addresses', () => {
    const page = buildChatHtml({ cspSource: SOURCE, nonce, scriptUri: 'x"><script>alert(1)</script>', styleUris: [] });
    assert.ok(!page.includes('"><script>alert'));
  });

  it('makes fresh, long, alphanumeric nonces and refuses bad ones', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9]{16,}$/);
    assert.throws(() => buildChatHtml({ cspSource: SOURCE, nonce: "x' 'unsafe-inline", scriptUri: 's', styleUris: [] }));
  });
});
