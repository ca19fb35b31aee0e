# redis-py (Debian's python3-redis) driving a server the way a Python application would:
# strings, hashes, lists, sets, sorted sets, pipelines, transactions with WATCH, pub/sub,
# SCAN, errors, binary values (standalone), or RedisCluster routing keys over a cluster
# (cluster). Prints one JSON list of [step, result] pairs; the test compares the list a
# Cinnabar node produces with the one redis-server produces.
#
# usage: redis_py_check.py standalone|cluster <port>

import json
import sys

import redis
from redis.cluster import RedisCluster

HOST = '127.0.0.1'
out = []


def step(name, fn):
    """Records fn()'s result, or the error class and text redis-py raised."""
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001 - the error itself is the result
        value = {'error': type(e).__name__, 'text': str(e)}
    out.append([name, value])


def plain(v):
    """JSON-friendly: bytes as latin1 text, tuples as lists, sets sorted."""
    if isinstance(v, bytes):
        return v.decode('latin1')
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, set):
        return sorted(plain(x) for x in v)
    if isinstance(v, dict):
        return {plain(k): plain(x) for k, x in sorted(v.items())}
    return v


def standalone(port):
    r = redis.Redis(host=HOST, port=port, decode_responses=True)
    r2 = redis.Redis(host=HOST, port=port, decode_responses=True)
    raw = redis.Redis(host=HOST, port=port)
    step('flushall', lambda: r.flushall())
    step('ping', lambda: r.ping())
    step('set', lambda: r.set('foo', 'bar'))
    step('get', lambda: r.get('foo'))
    step('set nx on existing', lambda: r.set('foo', 'x', nx=True))
    step('set ex, ttl in range', lambda: (r.set('t', 'v', ex=100), 90 < r.ttl('t') <= 100))
    step('pexpire, persist', lambda: (r.pexpire('t', 50000), r.persist('t'), r.ttl('t')))
    step('incr', lambda: [r.incr('n'), r.incrby('n', 10), r.decr('n')])
    step('incrbyfloat', lambda: r.incrbyfloat('f', 1.5))
    step('incr on a string', lambda: r.incr('foo'))
    step('mset, mget', lambda: (r.mset({'a': '1', 'b': '2'}), r.mget(['a', 'b', 'missing'])))
    step('append, strlen, getrange', lambda: (r.append('foo', 'baz'), r.strlen('foo'), r.getrange('foo', 1, 3)))
    step('getdel', lambda: (r.getdel('a'), r.exists('a')))
    step('hset mapping, hgetall', lambda: (r.hset('h', mapping={'x': '1', 'y': '2'}), plain(r.hgetall('h'))))
    step('hincrby, hmget, hlen', lambda: (r.hincrby('h', 'x', 5), r.hmget('h', ['x', 'y', 'z']), r.hlen('h')))
    step('lpush, rpush, lrange', lambda: (r.lpush('l', 'a', 'b'), r.rpush('l', 'c'), r.lrange('l', 0, -1)))
    step('lpop count, llen', lambda: (r.lpop('l', 2), r.llen('l')))
    step('wrong type', lambda: r.lpush('foo', 'x'))
    step('sadd, smembers, sismember', lambda: (r.sadd('s', 'x', 'y', 'z'), plain(r.smembers('s')), r.sismember('s', 'y')))
    step('zadd, zrange withscores', lambda: (r.zadd('z', {'a': 1, 'b': 2.5, 'c': 3}), r.zrange('z', 0, -1, withscores=True)))
    step('zincrby, zrangebyscore, zrank', lambda: (r.zincrby('z', 10, 'a'), r.zrangebyscore('z', 2, '+inf'), r.zrank('z', 'a')))
    step('type, rename', lambda: (r.type('z'), r.rename('z', 'z2'), r.exists('z', 'z2')))

    def pipeline():
        p = r.pipeline(transaction=False)
        p.set('p1', 'v1').get('p1').incr('pn').lrange('l', 0, -1).get('missing')
        return p.execute()
    step('pipeline', pipeline)

    def transaction():
        p = r.pipeline(transaction=True)
        p.incr('tx').incr('tx').get('tx')
        return p.execute()
    step('transaction', transaction)

    def watched():
        with r.pipeline() as p:
            p.watch('w')
            r2.set('w', 'changed')
            p.multi()
            p.set('w', 'mine')
            try:
                p.execute()
                return 'executed'
            except redis.WatchError as e:
                return {'watch error': str(e), 'w': r.get('w')}
    step('watch conflict', watched)

    def transaction_error():
        p = r.pipeline(transaction=True)
        p.set('te', '1').lpush('te', 'x').get('te')
        return plain(p.execute(raise_on_error=False))
    step('transaction with a failing command', lambda: [str(x) if isinstance(x, Exception) else x for x in transaction_error()])

    def pubsub():
        ps = r2.pubsub()
        ps.subscribe('ch')
        first = ps.get_message(timeout=2)
        receivers = r.publish('ch', 'hello')
        msg = None
        for _ in range(50):
            msg = ps.get_message(timeout=0.1)
            if msg is not None and msg['type'] == 'message':
                break
        ps.unsubscribe('ch')
        ps.close()
        return [first, receivers, msg]
    step('pubsub', pubsub)

    step('scan_iter', lambda: (r.mset({f'k:{i}': str(i) for i in range(300)}), sorted(r.scan_iter(match='k:*', count=50))[:5], len(list(r.scan_iter(match='k:*')))))
    step('dbsize, delete', lambda: (r.dbsize(), r.delete('foo', 'h', 'nope'), r.dbsize()))
    step('binary values', lambda: (raw.set(b'bin\x00', b'\x00\xff\r\n'), plain(raw.get(b'bin\x00'))))
    step('unknown command', lambda: r.execute_command('NOSUCHCOMMAND', 'x'))
    step('wrong arity', lambda: r.execute_command('GET'))
    step('client setname, getname', lambda: (r.client_setname('py'), r.client_getname()))
    step('config get', lambda: r.config_get('maxmemory-policy'))
    step('echo', lambda: r.echo('hi'))


def cluster(port):
    rc = RedisCluster(host=HOST, port=port, decode_responses=True)
    step('primaries', lambda: len(rc.get_primaries()))
    keys = [f'key:{i}' for i in range(1000)]

    def writes():
        for k in keys:
            rc.set(k, k.upper())
        return sum(1 for k in keys if rc.get(k) == k.upper())
    step('1000 keys written and read back', writes)
    primaries = sorted(rc.get_primaries(), key=lambda n: n.port)
    step('dbsize summed over the primaries', lambda: sum(rc.get_redis_connection(n).dbsize() for n in primaries))
    step('keyslot', lambda: rc.cluster_keyslot('foo'))
    step('cross-slot MGET sent to one node', lambda: rc.get_redis_connection(primaries[0]).execute_command('MGET', 'a', 'b'))
    step('mset_nonatomic, mget_nonatomic', lambda: (rc.mset_nonatomic({'m1': 'a', 'm2': 'b', 'm3': 'c'}), rc.mget_nonatomic(['m1', 'm2', 'm3', 'none'])))
    step('hash-tagged mset, mget', lambda: (rc.mset({'{user1}.a': '1', '{user1}.b': '2'}), rc.mget(['{user1}.a', '{user1}.b'])))
    step('cross-slot MGET through the cluster client', lambda: rc.execute_command('MGET', 'a', 'b'))

    def pipeline():
        p = rc.pipeline()
        for i in range(20):
            p.set(f'pipe:{i}', str(i))
        for i in range(20):
            p.get(f'pipe:{i}')
        return p.execute()
    step('cluster pipeline', pipeline)
    step('incr, hset, lpush on spread keys', lambda: [rc.incr('c1'), rc.hset('c2', 'f', 'v'), rc.lpush('c3', 'x', 'y'), rc.lrange('c3', 0, -1)])
    step('delete spread keys', lambda: rc.delete('c1', 'c2', 'c3'))


if __name__ == '__main__':
    mode, port = sys.argv[1], int(sys.argv[2])
    (standalone if mode == 'standalone' else cluster)(port)
    print(json.dumps(out, default=str))
