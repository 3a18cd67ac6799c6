import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptClusterModeration, parseClusterModeration } from '../../src/cluster/moderation-sync.js';
import { Moderation } from '../../src/core/moderation/index.js';

const ban = (e: Record<string, unknown>) => JSON.stringify({ e: { type: 'ban', rooms: [], ...e } });
const mute = (e: Record<string, unknown>) => JSON.stringify({ e: { type: 'mute', rooms: [], ...e } });
const base = { target: 'troll', name: 'troll', masks: ['10.0.0.8/32'], by: 'boss', reason: 'r', ts: 5 };

test("reads the cluster's bans and mutes, skipping what is malformed and noting what expired", () => {
  const found = parseClusterModeration(
    [
      '7',
      ban({ ...base, until: null }),
      '8',
      ban({ ...base, until: 50 }),
      'x',
      ban(base),
      '9',
      '{not json',
      '10',
      '{}',
    ],
    [
      'eve',
      mute({ name: 'eve', by: 'boss', reason: '', ts: 1, until: 500 }),
      'old',
      mute({ name: 'old', by: 'b', ts: 1, until: 10 }),
      'bad',
      mute({ by: 'b' }),
    ],
    100,
  );
  assert.deepEqual(found.bans, [{ id: 7, ...base, until: null }]);
  assert.deepEqual(found.expiredBans, ['8']);
  assert.deepEqual(found.mutes, [{ name: 'eve', by: 'boss', reason: '', ts: 1, until: 500 }]);
  assert.deepEqual(found.expiredMutes, ['old']);
});

test('a node joining a running cluster takes its bans and mutes: lifted ones go, new ones come', () => {
  const state = new Moderation();
  state.addBan({ id: 3, ...base, target: 'gone', name: 'gone', until: null });
  state.mute({ name: 'old', by: 'b', reason: '', ts: 1, until: null });
  const cluster = parseClusterModeration(
    ['7', ban({ ...base, until: null })],
    ['eve', mute({ name: 'eve', by: 'boss', reason: '', ts: 1, until: null })],
    100,
  );
  adoptClusterModeration(state, cluster, 100);
  const { bans, mutes } = state.list(100);
  assert.deepEqual(
    bans.map((b) => b.id),
    [7],
  );
  assert.deepEqual(
    mutes.map((m) => m.name),
    ['eve'],
  );
});
