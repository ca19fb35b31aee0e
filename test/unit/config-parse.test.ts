// The C-style conversions behind configuration values (memtoull, string2ll, strtoll,
// sdscatrepr, memory formatting), each case checked against redis-server 7.0.15's answers.

import t from 'tap';
import { memtoull, string2ll, strtoll, repr, formatMemory, formatPercentile, string2d, trimChars } from '../../src/config/parse';
import { splitArgs } from '../../src/resp/split-args';

t.test('memtoull: units k/kb/m/mb/g/gb in any case, k = 1000, kb = 1024', async (t) => {
  const cases: Array<[string, bigint | undefined]> = [
    ['0', 0n],
    ['100', 100n],
    ['1b', 1n],
    ['1k', 1000n],
    ['1K', 1000n],
    ['1kb', 1024n],
    ['1KB', 1024n],
    ['1kB', 1024n],
    ['5m', 5000000n],
    ['5mb', 5n * 1024n * 1024n],
    ['2g', 2000000000n],
    ['2Gb', 2n * 1024n ** 3n],
    // Redis takes an empty number as 0, unit or not.
    ['', 0n],
    ['kb', 0n],
    ['-1', undefined],
    ['+1', undefined],
    [' 1', undefined],
    ['1 ', undefined],
    ['1.5gb', undefined],
    ['1zb', undefined],
    ['1tb', undefined],
    // strtoull saturates and the multiplication wraps, as in C.
    ['99999999999999999999', 18446744073709551615n],
    ['18446744073709551616', 18446744073709551615n],
    ['99999999999999999999gb', 18446744072635809792n],
  ];
  for (const [s, want] of cases) t.equal(memtoull(s), want, JSON.stringify(s));
});

t.test('string2ll: strict integers', async (t) => {
  t.equal(string2ll('0'), 0n);
  t.equal(string2ll('-5'), -5n);
  t.equal(string2ll('9223372036854775807'), 9223372036854775807n);
  t.equal(string2ll('-9223372036854775808'), -9223372036854775808n);
  for (const bad of ['', '-', '-0', '007', '+1', ' 1', '1 ', '1.0', '9223372036854775808', '0x10']) {
    t.equal(string2ll(bad), undefined, JSON.stringify(bad));
  }
});

t.test('strtoll: leading space and sign allowed, empty is a complete 0, overflow clamps', async (t) => {
  t.same(strtoll(' +12'), { value: 12n, complete: true, overflow: false });
  t.same(strtoll('12x'), { value: 12n, complete: false, overflow: false });
  t.same(strtoll(''), { value: 0n, complete: true, overflow: false });
  t.same(strtoll(' '), { value: 0n, complete: false, overflow: false });
  t.same(strtoll('99999999999999999999'), { value: 9223372036854775807n, complete: true, overflow: true });
  t.same(strtoll('0777', 8), { value: 511n, complete: true, overflow: false });
  t.same(strtoll('8', 8), { value: 0n, complete: false, overflow: false });
});

t.test('repr quotes and escapes so that sdssplitargs reads the same bytes back', async (t) => {
  t.equal(repr('abc'), '"abc"');
  t.equal(repr('a b"c\\'), '"a b\\"c\\\\"');
  t.equal(repr('\n\r\t\x07\b\x00\xe9'), '"\\n\\r\\t\\a\\b\\x00\\xe9"');
  for (const s of ['', 'a b', 'x"y', "it's", '\x01\xff\n', '\\x41']) {
    t.same(splitArgs('name ' + repr(s)), ['name', s], JSON.stringify(s));
  }
});

t.test('formatMemory uses the largest exact unit, as CONFIG REWRITE writes', async (t) => {
  t.equal(formatMemory(0n), '0');
  t.equal(formatMemory(1000n), '1000');
  t.equal(formatMemory(1024n), '1kb');
  t.equal(formatMemory(3n * 1024n * 1024n), '3mb');
  t.equal(formatMemory(1024n ** 3n), '1gb');
  t.equal(formatMemory(1536n * 1024n), '1536kb');
  t.equal(formatMemory(-1n), '-1');
});

t.test('percentiles print as %f without trailing zeros', async (t) => {
  t.equal(formatPercentile(50), '50');
  t.equal(formatPercentile(99.9), '99.9');
  t.equal(formatPercentile(99.9999), '99.9999');
  t.equal(formatPercentile(99.99999999), '100');
  t.equal(formatPercentile(-0), '-0');
  t.equal(string2d('1e2'), 100);
  t.equal(string2d(' 1'), undefined);
  t.equal(string2d('nan'), undefined);
});

t.test('trimChars trims only the given characters at both ends', async (t) => {
  t.equal(trimChars(' \t port 1 \r\n', ' \t\r\n'), 'port 1');
  t.equal(trimChars('', ' '), '');
});
