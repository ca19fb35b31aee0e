// Typed node configuration with Redis's option names and meanings: defaults, validation,
// redis.conf and `--name value` parsing, CONFIG GET/SET/REWRITE. The values other modules
// read on hot paths are mirrored into `v` (a plain typed object) whenever they change.
// (Skeleton: the full parameter table, file parsing and REWRITE are being completed.)

export class ConfigError extends Error {}

/** Typed values of the options Cinnabar acts on. */
export interface ConfigValues {
  port: number;
  bind: string[];
  dir: string;
  databases: number;
  loglevel: 'debug' | 'verbose' | 'notice' | 'warning';
  logfile: string;
  maxclients: number;
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
  timeout: number;
  hz: number;
  requirepass: string;
  tcpKeepalive: number;
}

export class Config {
  readonly v: ConfigValues = {
    port: 6379,
    bind: ['127.0.0.1', '-::1'],
    dir: './data',
    databases: 16,
    loglevel: 'notice',
    logfile: '',
    maxclients: 10000,
    protoMaxBulkLen: 512 * 1024 * 1024,
    clientQueryBufferLimit: 1024 * 1024 * 1024,
    timeout: 0,
    hz: 10,
    requirepass: '',
    tcpKeepalive: 300,
  };
  configFile: string | null = null;

  /** Builds a config from `[configfile] [--name value ...]` as redis-server takes them. */
  static fromArgs(argv: string[]): Config {
    const c = new Config();
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (!a.startsWith('--')) throw new ConfigError(`Bad directive ${a}`);
      const name = a.slice(2);
      const val = argv[++i] ?? '';
      if (name === 'port') c.v.port = Number(val);
      else if (name === 'dir') c.v.dir = val;
      else if (name === 'bind') c.v.bind = val.split(' ');
    }
    return c;
  }
}
