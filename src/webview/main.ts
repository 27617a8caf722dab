// Chat page entry point (bundled to dist/webview.js, loaded with the page's CSP nonce).

import { ChatApp, type VsCodeApi } from './app';

declare function acquireVsCodeApi(): VsCodeApi;

const app = new ChatApp({ window, api: acquireVsCodeApi() });
app.start(document.getElementById('app') ?? document.body);
