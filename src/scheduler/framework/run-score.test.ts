import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeInfo } from '../cache/node-info.ts';
import { makeNode, makePod } from '../testing/fixtures.ts';
import { CycleState } from './cycle-state.ts';
import type { ScorePlugin } from './interface.ts';
import { PodInfo } from './pod-info.ts';
import { runScorePlugins } from './run-score.ts';
import { Status } from './status.ts';

const nodes = ['a', 'b', 'c'].map((n) => new NodeInfo(n, makeNode(n)));
const pod = new PodInfo(makePod('p'));
const byName = (scores: Record<string, number>): ScorePlugin['score'] => (_s, _p, ni) => scores[ni.name]!;

test('scores are weighted and summed per node, normalized first where the plugin normalizes', () => {
  const plain: ScorePlugin = { name: 'Plain', score: byName({ a: 10, b: 20, c: 30 }) };
  const normalized: ScorePlugin = {
    name: 'Norm',
    score: byName({ a: 1, b: 2, c: 4 }),
    normalizeScore: (_s, _p, scores) => {
      for (const s of scores) s.score *= 25;
      return undefined;
    },
  };
  const totals = runScorePlugins([plain, normalized], new Map([['Plain', 2], ['Norm', 1]]), new CycleState(), pod, nodes);
  assert.deepEqual(totals, [10 * 2 + 25, 20 * 2 + 50, 30 * 2 + 100]);
});

test('an out-of-range score is an error naming the plugin and the first bad score in node order', () => {
  const bad: ScorePlugin = { name: 'Bad', score: byName({ a: 50, b: 101, c: -1 }) };
  const r = runScorePlugins([bad], new Map(), new CycleState(), pod, nodes);
  assert.ok(r instanceof Status);
  assert.equal(r.plugin, 'Bad');
  assert.match(r.message, /plugin "Bad" returns an invalid score 101/);
  const afterNormalize: ScorePlugin = { name: 'N', score: byName({ a: 1, b: 1, c: 1 }), normalizeScore: (_s, _p, scores) => void (scores[2]!.score = 200) };
  const r2 = runScorePlugins([afterNormalize], new Map(), new CycleState(), pod, nodes);
  assert.ok(r2 instanceof Status);
  assert.match(r2.message, /invalid score 200/);
});

test('a plugin that throws or returns an error Status fails the pass', () => {
  const throws: ScorePlugin = { name: 'Throws', score: () => { throw new Error('boom'); } };
  const r = runScorePlugins([throws], new Map(), new CycleState(), pod, nodes);
  assert.ok(r instanceof Status && r.message === 'boom' && r.plugin === 'Throws');
  const errs: ScorePlugin = { name: 'Errs', score: () => Status.error('Errs', new Error('nope')) };
  const r2 = runScorePlugins([errs], new Map(), new CycleState(), pod, nodes);
  assert.ok(r2 instanceof Status && r2.message === 'nope');
});
