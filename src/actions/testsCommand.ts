// Generate Tests (VS Code glue): finds the project and its test conventions, the test file (or where a
// new one goes), and proposes the tests in the shared diff flow. A new file is created only on Accept.

import * as vscode from 'vscode';
import { blockAt, displayPath, documentEol, documentLines, editableEditor, indentStyle } from './editor';
import { bareName } from './editCommands';
import { propose, type ActionsContext } from './propose';
import { buildTestsPrompt } from './prompts';
import { testsRenderer } from './render';
import { testMode } from './testEdit';
import { chooseTestTarget } from './testTarget';
import { excludeMatcher } from '../workspace/exclude';
import { ancestorDirs, planTests, PROJECT_MANIFESTS, pythonModule, relativeImport, testLanguage, type TestLanguage, type TestPlan } from './testPlan';
import { dedent, detectEol, type IndentStyle } from './text';
import { detectIndentStyle } from './indent';
import { frameworkMismatch } from './testAnswer';
import { searchExcludeGlob } from '../workspace/searchExcludes';

const TEST_GLOB = '{**/*.test.*,**/*.spec.*,**/*_test.*,**/test_*.py,**/*Test.java,**/*Test.kt,**/*Tests.java}';
/** The most source sent as "the code under test". */
const SOURCE_MAX_CHARS = 24_000;
/** How much of an existing test file the model sees (imports, helpers, style). */
const EXISTING_MAX_LINES = 80;
const EXISTING_MAX_CHARS = 5_000;

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function readText(uri: vscode.Uri, maxBytes = 200_000): Promise<string | undefined> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return new TextDecoder().decode(bytes.subarray(0, maxBytes));
  } catch {
    return undefined;
  }
}

function join(root: vscode.Uri, relative: string): vscode.Uri {
  return relative ? vscode.Uri.joinPath(root, ...relative.split('/')) : root;
}

/** The nearest project root above the file and its manifest's text. */
async function findProject(root: vscode.Uri, sourcePath: string, language: TestLanguage): Promise<{ projectRoot: string; manifest?: string }> {
  for (const dir of ancestorDirs(sourcePath)) {
    for (const name of PROJECT_MANIFESTS[language]) {
      const uri = join(root, dir ? `${dir}/${name}` : name);
      if (await exists(uri)) return { projectRoot: dir, manifest: await readText(uri) };
    }
  }
  return { projectRoot: '' };
}

function importHint(plan: TestPlan, sourcePath: string, testPath: string, projectRoot: string, sourceText: string): string | undefined {
  switch (plan.language) {
    case 'js':
      return `The test file imports the code under test from '${relativeImport(testPath, sourcePath)}'.`;
    case 'python': {
      const module = pythonModule(sourcePath, projectRoot);
      return module ? `The test file imports the code under test from the module \`${module}\`.` : undefined;
    }
    case 'go': {
      const pkg = /^package\s+(\w+)/m.exec(sourceText)?.[1];
      return pkg ? `The test file is in the same package: \`package ${pkg}\`.` : undefined;
    }
    case 'java':
    case 'kotlin': {
      const pkg = /^package\s+([\w.]+)/m.exec(sourceText)?.[1];
      return pkg ? `The test class is in the same package: \`${pkg}\`.` : undefined;
    }
    case 'rust':
      return undefined;
  }
}

/** The indentation of the nearest existing test file with the same extension (not an excluded one). */
async function projectTestStyle(root: vscode.Uri, existingTests: readonly string[], testPath: string, tabSize: number, excluded: (relative: string) => boolean): Promise<IndentStyle | undefined> {
  const ext = testPath.slice(testPath.lastIndexOf('.'));
  const dir = testPath.slice(0, testPath.lastIndexOf('/') + 1);
  const sameKind = existingTests.filter((t) => t.endsWith(ext) && !excluded(t));
  const nearest = sameKind.find((t) => t.startsWith(dir) && dir !== '') ?? sameKind[0];
  const text = nearest ? await readText(join(root, nearest), 50_000) : undefined;
  return text ? detectIndentStyle(text, tabSize) : undefined;
}

function head(text: string): string {
  return text.split(/\r?\n/).slice(0, EXISTING_MAX_LINES).join('\n').slice(0, EXISTING_MAX_CHARS);
}

export async function generateTests(ctx: ActionsContext): Promise<void> {
  const what = 'Generate Tests';
  const editor = editableEditor(what, ctx.services.config.settings.completion.exclude);
  if (!editor) return;
  const document = editor.document;
  if (document.isUntitled) {
    void vscode.window.showInformationMessage(`${what}: save the file first, so Qwen Local knows where its tests go.`);
    return;
  }
  const language = testLanguage(document.languageId);
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const root = folder?.uri ?? vscode.Uri.joinPath(document.uri, '..');
  const sourcePath = folder ? vscode.workspace.asRelativePath(document.uri, false) : document.uri.path.split('/').pop() ?? '';
  const project = language ? await findProject(root, sourcePath, language) : { projectRoot: '' };
  const found = language ? await vscode.workspace.findFiles(new vscode.RelativePattern(root, TEST_GLOB), searchExcludeGlob(vscode.workspace.getConfiguration('files').get('exclude')), 300) : [];
  const existingTests = found.map((u) => vscode.workspace.asRelativePath(u, false));
  const planned = planTests({ sourcePath, languageId: document.languageId, projectRoot: project.projectRoot, manifest: project.manifest, existingTests });
  if (!planned.ok) {
    void vscode.window.showInformationMessage(`${what}: ${planned.reason}`);
    return;
  }
  const plan = planned.plan;

  // The target: an existing conventional test file, else the source itself (Rust), else a new file.
  const exclude = excludeMatcher(ctx.services.config.settings.completion.exclude);
  const target = await chooseTestTarget({
    plan,
    sourcePath,
    exists: (relative) => exists(join(root, relative)),
    excluded: (relative) => exclude(join(root, relative).fsPath) || exclude(relative),
  });
  if (!target.ok) {
    void vscode.window.showInformationMessage(`${what}: ${target.reason}`);
    return;
  }
  const { testPath, exists: targetExists } = target;
  const targetUri = target.isSource ? document.uri : join(root, testPath);
  let targetDocument: vscode.TextDocument | undefined;
  if (targetExists) {
    try {
      targetDocument = await vscode.workspace.openTextDocument(targetUri);
    } catch {
      void vscode.window.showWarningMessage(`${what}: could not open ${testPath}.`);
      return;
    }
  }
  const targetText = targetDocument?.getText() ?? '';
  const mode = testMode(plan.language, targetExists, targetUri.toString() === document.uri.toString(), targetText);

  // The code under test: the selection, else the function at the cursor, else the whole file.
  const style = indentStyle(editor);
  let code: string;
  let name: string | undefined;
  let wholeFile = false;
  if (!editor.selection.isEmpty) {
    code = document.getText(editor.selection);
  } else {
    const block = await blockAt(document, editor.selection.active.line, 'functionOrType', style.tabSize);
    if (block) {
      code = documentLines(document).slice(block.startLine, block.endLine + 1).join('\n');
      name = bareName(block.name);
    } else {
      code = document.getText();
      wholeFile = true;
    }
  }
  if (code.length > SOURCE_MAX_CHARS) {
    void vscode.window.showWarningMessage(`${what}: the code is too long for one request. Select a function (or put the cursor in one) and try again.`);
    return;
  }

  let existingTest: string | undefined;
  if (mode === 'append') existingTest = head(targetText);
  if (mode === 'rustModule') {
    const at = targetText.search(/^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+tests\s*\{/m);
    existingTest = at >= 0 ? head(targetText.slice(at)) : undefined;
  }
  const eol = targetDocument ? documentEol(targetDocument) : targetText ? detectEol(targetText) : documentEol(document);
  const sourceText = document.getText();
  // A new file indents as the project's other tests do, else as the editor does for the source.
  const newFileStyle = mode === 'create' ? await projectTestStyle(root, existingTests, testPath, style.tabSize, exclude) : undefined;
  // Where the tests go, said before the model writes (a new file is created only on Accept).
  const where = mode === 'create' ? `a new file, ${testPath} (created when you accept)` : testPath;
  const proposed = await propose(ctx, {
    what,
    action: `Tests (${plan.framework}) in ${testPath}`,
    progress: `writing ${plan.framework} tests into ${where}…`,
    targetUri: targetUri.toString(),
    originalText: targetText,
    version: targetDocument?.version,
    start: 0,
    end: targetText.length,
    isNewFile: !targetExists,
    eol,
    messages: buildTestsPrompt({
      code: dedent(code),
      wholeFile,
      name,
      path: displayPath(document.uri),
      languageId: document.languageId,
      plan,
      testPath,
      mode,
      existingTest,
      importHint: importHint(plan, sourcePath, testPath, project.projectRoot, sourceText),
      extraSystem: ctx.services.config.settings.chat.systemPrompt,
    }),
    maxOutputTokens: 4096,
    render: testsRenderer(mode, plan.language, targetText, eol, newFileStyle ?? style),
  });
  const mismatch = proposed.result === 'ready' && proposed.answer !== undefined ? frameworkMismatch(proposed.answer, plan) : undefined;
  if (mismatch) void vscode.window.showWarningMessage(`${what}: ${mismatch}`);
}
