// A cluster node started with Redis's default bind list ("127.0.0.1 -::1": the '-' marks an
// optional address) listens on its cluster bus too, as the README's example starts one.

import t from 'tap';
import net from 'node:net';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

t.test('cluster bus honours optional bind addresses', async (t) => {
  const node = await startCinnabar(t, { args: ['--cluster-enabled', 'yes', '--bind', '127.0.0.1', '-::1', '-203.0.113.9'] });
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  t.match(await c.call('CLUSTER', 'INFO'), /cluster_state:fail\r\n/, 'the node runs in cluster mode');
  // The bus port answers TCP connections on loopback.
  await new Promise<void>((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: node.port + 10000 }, () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
  t.pass('cluster bus listening on port + 10000');
});
