import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { severityName } from '../../../src/workspace/diagnostics';

describe('diagnostic severities', () => {
  it('maps the numbers of vscode.DiagnosticSeverity as the API declares them', () => {
    const typings = readFileSync(createRequire(__filename).resolve('@types/vscode/index.d.ts'), 'utf8');
    const enumBody = /export enum DiagnosticSeverity \{([\s\S]*?)\n\t\}/.exec(typings)?.[1] ?? '';
    const value = (name: string) => Number(new RegExp(`\\b${name} = (\\d+)`).exec(enumBody)?.[1]);
    assert.equal(severityName(value('Error')), 'error');
    assert.equal(severityName(value('Warning')), 'warning');
    assert.equal(severityName(value('Information')), 'info');
    assert.equal(severityName(value('Hint')), 'hint');
    assert.equal(severityName(7), 'hint');
  });
});
