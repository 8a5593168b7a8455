import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StaticTokenAuthenticator, parseTokenCsv } from './authn-static-token.ts';

describe('parseTokenCsv', () => {
  it('reads token,user,uid and a quoted group list', () => {
    const entries = parseTokenCsv(
      [
        't1,alice,uid-1,"dev, ops,,qa"',
        '',
        '# a comment',
        't2, bob ,,',
        't3,carol,uid-3',
        '"t,4","say ""hi""",u4,g1',
      ].join('\r\n'),
    );
    assert.deepEqual(entries, [
      ['t1', { username: 'alice', uid: 'uid-1', groups: ['dev', 'ops', 'qa'] }],
      ['t2', { username: 'bob ', groups: [] }],
      ['t3', { username: 'carol', uid: 'uid-3', groups: [] }],
      ['t,4', { username: 'say "hi"', uid: 'u4', groups: ['g1'] }],
    ]);
  });

  it('rejects malformed lines with their line number', () => {
    assert.throws(() => parseTokenCsv('ok,u,1\nonly,two', 'tokens.csv'), /tokens\.csv:2: want at least 3 fields/);
    assert.throws(() => parseTokenCsv(',u,1'), /:1: empty token/);
    assert.throws(() => parseTokenCsv('t,,1'), /:1: empty user name/);
    assert.throws(() => parseTokenCsv('t,u,1,"open'), /:1: unterminated quoted field/);
  });
});

describe('StaticTokenAuthenticator', () => {
  it('authenticates known tokens only, returning copies', async () => {
    const authenticator = new StaticTokenAuthenticator([['secret', { username: 'alice', groups: ['dev'] }]]);
    const user = await authenticator.authenticate('secret');
    assert.deepEqual(user, { username: 'alice', groups: ['dev'] });
    user?.groups.push('mutated');
    assert.deepEqual(await authenticator.authenticate('secret'), { username: 'alice', groups: ['dev'] });
    assert.equal(await authenticator.authenticate('Secret'), undefined);
    assert.equal(await authenticator.authenticate(''), undefined);
  });

  it('loads a token file, later duplicates winning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-tokens-'));
    try {
      const path = join(dir, 'tokens.csv');
      await writeFile(path, 'abc,first,1\nabc,second,2,"g"\n');
      const authenticator = await StaticTokenAuthenticator.fromFile(path);
      assert.deepEqual(await authenticator.authenticate('abc'), { username: 'second', uid: '2', groups: ['g'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
