// Entry bundled into the Chromium page by chat-render.ts --chromium.
import { makeAnswer, runStreaming } from './chat-render-core';

(globalThis as unknown as { runChatBench: (lines: number, perFrame: number) => unknown }).runChatBench = (lines, perFrame) =>
  runStreaming(window, document.getElementById('app')!, makeAnswer(lines), perFrame);
