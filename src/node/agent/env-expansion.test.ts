import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { expand } from './env-expansion.ts';

const vars: Record<string, string> = { A: 'a', B: 'b', EMPTY: '' };
const lookup = (n: string): string | undefined => vars[n];

describe('$(VAR) expansion (upstream expansion rules)', () => {
  it('replaces defined references and keeps undefined ones literally', () => {
    assert.equal(expand('$(A)-$(B)', lookup), 'a-b');
    assert.equal(expand('x$(EMPTY)y', lookup), 'xy');
    assert.equal(expand('$(NOPE)/$(A)', lookup), '$(NOPE)/a');
  });

  it('treats $$ as an escaped $, so $$(A) stays a literal reference', () => {
    assert.equal(expand('$$(A)', lookup), '$(A)');
    assert.equal(expand('$$$(A)', lookup), '$a');
    assert.equal(expand('cost: $$5', lookup), 'cost: $5');
  });

  it('keeps unterminated references, lone dollars and other operators', () => {
    assert.equal(expand('$(A', lookup), '$(A');
    assert.equal(expand('a$', lookup), 'a$');
    assert.equal(expand('$A $(A)', lookup), '$A a');
    assert.equal(expand('$()', lookup), '$()');
    assert.equal(expand('no refs', lookup), 'no refs');
  });
});
