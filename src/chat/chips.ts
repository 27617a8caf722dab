// The context chips above the input: the current file and selection (attached automatically,
// switched off with a click) and the explicit ones (@file, @problems, Add Selection to Chat), used
// up by the next message. Pure: the editor comes in as plain EditorState.

import type { AttachmentView } from '../protocol';
import { excludeMatcher } from '../workspace/exclude';
import { attachmentView, fileAttachment, selectionAttachment } from './attachments';
import type { EditorState } from './ide';
import type { Attachment } from './types';

export const AUTO_FILE = 'auto:file';
export const AUTO_SELECTION = 'auto:selection';
const RESTRICTED_DETAIL = 'not attached in Restricted Mode (an untrusted workspace): click to attach it';

/** One attachment per file, selection range, problems list or text. */
export function dedupe(attachments: Attachment[]): Attachment[] {
  const seen = new Set<string>();
  return attachments.filter((a) => {
    const key = `${a.kind}|${a.uri ?? a.path ?? a.label}|${a.range ? `${a.range.startLine}-${a.range.endLine}` : ''}|${a.kind === 'text' ? a.content : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const sameRange = (a: Attachment, b: Attachment) => a.range?.startLine === b.range?.startLine && a.range?.endLine === b.range?.endLine;

export class ChipTray {
  /** The person's click on a chip; undefined: as autoAttach() says (on, unless Restricted Mode). */
  private autoFile: boolean | undefined;
  private autoSelection: boolean | undefined;
  private explicit: Attachment[] = [];

  constructor(
    private readonly estimate: (text: string) => number,
    private readonly exclude: () => readonly string[],
    /** False in Restricted Mode (workspace/trust.ts): the chips show, switched off until clicked. */
    private readonly autoAttach: () => boolean = () => true,
  ) {}

  private fileOn(): boolean {
    return this.autoFile ?? this.autoAttach();
  }

  private selectionOn(): boolean {
    return this.autoSelection ?? this.autoAttach();
  }

  private excluded() {
    return excludeMatcher(this.exclude());
  }

  add(attachments: Attachment[]): void {
    this.explicit = dedupe([...this.explicit, ...attachments]);
  }

  toggle(id: string): void {
    if (id === AUTO_FILE) this.autoFile = !this.fileOn();
    else if (id === AUTO_SELECTION) this.autoSelection = !this.selectionOn();
    else this.explicit = this.explicit.filter((a) => a.id !== id);
  }

  /** The current file and selection, as the chips show them (excluded files are never attached). */
  auto(editor: EditorState | undefined): { views: AttachmentView[]; attachments: Attachment[] } {
    const views: AttachmentView[] = [];
    const attachments: Attachment[] = [];
    if (!editor) return { views, attachments };
    if (this.excluded()(editor.file)) {
      views.push({
        id: AUTO_FILE,
        kind: 'file',
        label: fileAttachment(AUTO_FILE, { ...editor.file, text: '' }).label,
        detail: 'Not attached: this file matches qwenLocal.completion.exclude',
        auto: true,
        enabled: false,
      });
      return { views, attachments };
    }
    // An explicit chip for the same file or selection (@file of the current file, Add Selection
    // to Chat) stands for it: one chip, not two.
    if (editor.selection) {
      const a = selectionAttachment(AUTO_SELECTION, editor.file, editor.selection);
      if (!this.explicit.some((x) => x.kind === 'selection' && x.uri === a.uri && sameRange(x, a))) {
        const on = this.selectionOn();
        views.push(attachmentView(a, this.estimate, { auto: true, enabled: on, ...(on || this.autoSelection !== undefined ? {} : { detail: RESTRICTED_DETAIL }) }));
        if (on) attachments.push(a);
      }
    }
    const f = fileAttachment(AUTO_FILE, editor.file);
    if (!this.explicit.some((x) => x.kind === 'file' && x.uri === f.uri)) {
      const on = this.fileOn();
      views.push(attachmentView(f, this.estimate, { auto: true, enabled: on, detail: on || this.autoFile !== undefined ? `${f.path} (current file)` : `${f.path}: ${RESTRICTED_DETAIL}` }));
      if (on) attachments.push(f);
    }
    return { views, attachments };
  }

  /** The auto attachments with fresh ids (they are stored with the message). */
  autoAttachments(editor: EditorState | undefined, newId: () => string): Attachment[] {
    return this.auto(editor).attachments.map((a) => ({ ...a, id: newId() }));
  }

  /** The attachments for the message being sent; explicit chips are used up, auto chips stay. */
  take(editor: EditorState | undefined, editing: boolean, newId: () => string): Attachment[] {
    const excluded = this.excluded();
    const explicit = this.explicit.filter((a) => !a.path || !excluded({ fsPath: a.path, relativePath: a.path }));
    this.explicit = [];
    // An edited message keeps its own attachments unless new chips were added.
    const auto = editing ? [] : this.autoAttachments(editor, newId);
    return dedupe([...auto, ...explicit]);
  }

  /** What the next message would carry, for the token meter. */
  pending(editor: EditorState | undefined): Attachment[] {
    return dedupe([...this.auto(editor).attachments, ...this.explicit]);
  }

  views(editor: EditorState | undefined): AttachmentView[] {
    return [...this.explicit.map((a) => attachmentView(a, this.estimate)), ...this.auto(editor).views];
  }
}
