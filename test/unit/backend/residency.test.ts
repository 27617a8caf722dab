import assert from 'node:assert/strict';
import { keepAliveToMs, ModelResidency } from '../../../src/backend/residency';

describe('model residency (is the completion model loaded?)', function () {
  it('reads keep_alive as Ollama does', function () {
    assert.equal(keepAliveToMs('5m'), 300_000);
    assert.equal(keepAliveToMs('1h30m'), 5_400_000);
    assert.equal(keepAliveToMs('1.5'), 1_500);
    assert.equal(keepAliveToMs(30), 30_000);
    assert.equal(keepAliveToMs('-1'), Infinity);
    assert.equal(keepAliveToMs('-5m'), Infinity);
    assert.equal(keepAliveToMs('soon'), undefined);
  });

  it('is cold before any use, warm until the keep_alive deadline, cold after it', function () {
    let now = 1_000;
    const r = new ModelResidency(() => now);
    assert.equal(r.isCold('h|m'), true);
    r.used('h|m', '5m');
    now += 299_000;
    assert.equal(r.isCold('h|m'), false);
    now += 2_000;
    assert.equal(r.isCold('h|m'), true);
  });

  it('counts a server restart and keep_alive 0 as the user means them', function () {
    const r = new ModelResidency(() => 0);
    r.used('a', '5m');
    r.forget();
    assert.equal(r.isCold('a'), true, 'after a restart nothing is loaded');
    r.used('b', 0);
    assert.equal(r.isCold('b'), false, 'keep_alive 0: never warmed again (it would load twice per completion)');
  });

  it('calls the model cold when completions wait too long for a first token, not before', function () {
    let now = 0;
    const r = new ModelResidency(() => now, 1_000);
    r.used('k', '5m');
    r.started('k');
    now = 500;
    assert.equal(r.ended('k', false, '5m'), false, 'one cancelled keystroke is normal');
    r.started('k');
    now = 1_200;
    assert.equal(r.ended('k', false, '5m'), true, 'no first token for 1.2 s of typing: it is being loaded');
    assert.equal(r.isCold('k'), true);
    r.started('k');
    assert.equal(r.ended('k', true, '5m'), false);
    assert.equal(r.isCold('k'), false, 'an answer means it is loaded');
  });
});
