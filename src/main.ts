#!/usr/bin/env node
// cinnabar-server: reads redis-server-style arguments (`[config-file] [--name value ...]`),
// builds the configuration and starts a node. A bad option stops start-up with Redis's
// message naming it.

import { Config, ConfigError } from './config/config';
import { createLogger } from './log';
import { Node } from './node';

function main(): void {
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
  const log = createLogger(config.v.loglevel, config.v.logfile);
  const node = new Node(config, log);
  process.on('SIGTERM', () => node.shutdown('SIGTERM'));
  process.on('SIGINT', () => node.shutdown('SIGINT'));
  node.start().catch((err: Error) => {
    log.fatal({ err: err.message }, 'could not start');
    log.flush();
    process.stderr.write(`Could not start: ${err.message}\n`);
    process.exit(1);
  });
}

main();
