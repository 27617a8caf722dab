// The chat page's HTML and Content-Security-Policy. Pure, so a test can read the policy.
//
// Nothing runs but the one bundled script carrying this load's nonce; styles and fonts come only
// from the extension's own files; images only from those or data: URIs. There is no connect-src:
// the page never talks to the network, the host talks to the model.

import { randomBytes } from 'node:crypto';

export interface ChatHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** asWebviewUri of dist/webview.js. */
  scriptUri: string;
  /** asWebviewUri of dist/codicons/codicon.css and media/chat.css, in that order. */
  styleUris: string[];
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export function chatCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
  ].join('; ');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function buildChatHtml(input: ChatHtmlInput): string {
  if (!/^[A-Za-z0-9]{16,}$/.test(input.nonce)) throw new Error('The nonce must be 16+ alphanumeric characters.');
  const styles = input.styleUris.map((uri) => `<link rel="stylesheet" href="${attr(uri)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(chatCsp(input.cspSource, input.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>Qwen Local Chat</title>
  </head>
  <body>
    <div id="app"></div>
    <script nonce="${input.nonce}" src="${attr(input.scriptUri)}"></script>
  </body>
</html>
`;
}
