#!/usr/bin/env node
// cinnabar-server: reads redis-server-style arguments (`[config-file] [-] [--name value ...]`),
// builds the configuration and starts a node. A bad option stops start-up with Redis's
// message naming it.

// Only what start-up needs before the snapshot worker starts is imported statically: the
// worker's thread start, lmdb import and first batch (~90 ms) are what the main thread waits
// for once its modules are loaded, so the logger (pino, ~65 ms) and the server load after it.
import { Config, ConfigError } from './config/config';
import { openStartupSnapshots } from './persistence/startup-store';
import { CINNABAR_VERSION, REDIS_VERSION } from './version';

const USAGE = `Usage: cinnabar-server [/path/to/redis.conf] [options] [-]
       cinnabar-server - (read config from stdin)
       cinnabar-server -v or --version
       cinnabar-server -h or --help

Examples:
       cinnabar-server (run the server with default conf)
       echo 'maxmemory 128mb' | cinnabar-server -
       cinnabar-server /etc/cinnabar/6379.conf
       cinnabar-server --port 7777
       cinnabar-server --port 7777 --replicaof 127.0.0.1 8888
       cinnabar-server /etc/mycinnabar.conf --loglevel verbose -
       cinnabar-server /etc/mycinnabar.conf --loglevel verbose
`;

async function main(): Promise<void> {
  // Like redis-server, only the first argument can ask for the version or the usage.
  const first = process.argv[2];
  if (first === '-v' || first === '--version') {
    process.stdout.write(`Cinnabar server v=${CINNABAR_VERSION} (Redis ${REDIS_VERSION} compatible) node=${process.version}\n`);
    process.exit(0);
  }
  if (first === '-h' || first === '--help') {
    process.stderr.write(USAGE);
    process.exit(1);
  }
  let config: Config;
  try {
    config = Config.fromArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(1);
    }
    throw err;
  }
  let snapshots: ReturnType<typeof openStartupSnapshots> = null;
  let openFailure: Error | null = null;
  try {
    snapshots = openStartupSnapshots(config.v.dir, config.v.appendonly, config.v.databases);
  } catch (err) {
    openFailure = err as Error;
  }
  const { createLogger } = await import('./log');
  const { WalCorruption } = await import('./persistence/wal-reader');
  const { repairHint } = await import('./tools/wal-check');
  const log = createLogger(config.v.loglevel, config.v.logfile);
  const couldNotStart = (err: Error): never => {
    // A damaged WAL names the file, the byte and the repair command on one line.
    const message = err instanceof WalCorruption ? repairHint(err, config.v.dir) : err.message;
    log.fatal({ err: message }, 'could not start');
    log.flush();
    process.stderr.write(`Could not start: ${message}\n`);
    process.exit(1);
  };
  if (openFailure !== null) return couldNotStart(openFailure);
  // The server's modules load only now, while the snapshot worker starts in its thread.
  const { Node } = await import('./node');
  const node = new Node(config, log);
  process.on('SIGTERM', () => node.shutdown('SIGTERM'));
  process.on('SIGINT', () => node.shutdown('SIGINT'));
  node.start(snapshots).catch(couldNotStart);
}

void main();
