// Chat page entry point (bundled to dist/webview.js).
export {};
