// Hash slots: CRC16 (XMODEM) and hash tags against values redis-server 7.0.15 gave for
// CLUSTER KEYSLOT, and the per-slot key index kept by Db in cluster mode.

import t from 'tap';
import { crc16, keySlot } from '../../src/cluster/slot';
import { SlotIndex } from '../../src/cluster/slot-index';
import { Db } from '../../src/keyspace/db';

// hex of the key's bytes → CLUSTER KEYSLOT on redis-server 7.0.15.
const REDIS_KEYSLOT: ReadonlyArray<readonly [string, number]> = [
  ['', 0],
  ['61', 15495],
  ['666f6f', 12182],
  ['626172', 5061],
  ['7b', 4092],
  ['7d', 12090],
  ['7b7d', 15257],
  ['7b617d', 15495],
  ['617b627d63', 3300],
  ['7b7d7b617d', 13650],
  ['7b7b617d7d', 10276],
  ['757365723a31303030', 1649],
  ['7b75736572313030307d2e666f6c6c6f77696e67', 3443],
  ['7b75736572313030307d2e666f6c6c6f77657273', 3443],
  ['666f6f7b7d7b6261727d', 8363],
  ['666f6f7b7b6261727d7d7a6170', 4015],
  ['666f6f7b6261727d7b7a61707d', 5061],
  ['313233343536373839', 12739],
  ['6b65793a5f5f72616e645f696e745f5f', 13782],
  ['cf80', 6114],
  ['6bff', 2336],
  ['612076657279206c6f6e67206b657920776974682073706163657320616e64207b7461677d20696e73696465', 8338],
];

t.test('CRC16 XMODEM check value', async (t) => {
  t.equal(crc16('123456789'), 0x31c3);
  t.equal(crc16(''), 0);
});

t.test('keySlot matches redis-server CLUSTER KEYSLOT', async (t) => {
  for (const [hex, slot] of REDIS_KEYSLOT) {
    const key = Buffer.from(hex, 'hex').toString('latin1');
    t.equal(keySlot(key), slot, JSON.stringify(key));
  }
});

t.test('hash tags: first {...} with content wins', async (t) => {
  t.equal(keySlot('{user1000}.following'), keySlot('user1000'));
  t.equal(keySlot('foo{}{bar}'), keySlot('foo{}{bar}'), 'empty tag: whole key');
  t.not(keySlot('foo{}{bar}'), keySlot('bar'));
  t.equal(keySlot('foo{{bar}}zap'), keySlot('{bar'));
  t.equal(keySlot('foo{bar}{zap}'), keySlot('bar'));
});

t.test('SlotIndex counts and lists keys per slot', async (t) => {
  const idx = new SlotIndex();
  idx.add('{a}1');
  idx.add('{a}2');
  idx.add('{a}3');
  idx.add('b');
  const a = keySlot('a');
  t.equal(idx.count(a), 3);
  t.same(idx.keys(a, 2), ['{a}1', '{a}2']);
  t.same(idx.keys(a, 0), []);
  idx.remove('{a}2');
  t.same(idx.keys(a, 10), ['{a}1', '{a}3']);
  idx.remove('nope');
  t.equal(idx.count(keySlot('b')), 1);
  idx.clear();
  t.equal(idx.count(a), 0);
});

t.test('Db keeps the slot index in step with its keys', async (t) => {
  const expired: string[] = [];
  const db = new Db(0, { keyExpired: (_db, key) => expired.push(key), keyAdded: () => undefined });
  const idx = new SlotIndex();
  db.slots = idx;
  const s = keySlot('k');
  db.set('k', 'v1');
  db.set('k', 'v2'); // overwrite: still one key
  t.equal(idx.count(s), 1);
  db.replace('k', 'v3');
  t.equal(idx.count(s), 1);
  db.replace('{k}x', 'v'); // replace creating a key (snapshot load)
  t.equal(idx.count(s), 2);
  t.ok(db.delete('k'));
  t.notOk(db.delete('k'));
  t.equal(idx.count(s), 1);
  db.setExpire('{k}x', Date.now() - 1);
  t.equal(db.get('{k}x'), undefined, 'lazily expired');
  t.equal(idx.count(s), 0);
  t.same(expired, ['{k}x']);
  db.set('a', '1');
  db.set('b', '2');
  db.clear();
  t.equal(idx.count(keySlot('a')) + idx.count(keySlot('b')), 0);
  db.set('a', '1');
  const other = new Db(1, { keyExpired: () => undefined, keyAdded: () => undefined });
  other.set('z', '1');
  db.swapWith(other);
  t.equal(idx.count(keySlot('a')), 0, 'swap rebuilds the index from the new keys');
  t.equal(idx.count(keySlot('z')), 1);
});
