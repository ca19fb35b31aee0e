// Every error text a client can see, in one table, matching Redis 7.0 byte for byte.
// Values are written without the leading '-' and trailing CRLF; the reply encoder adds them.

export const Err = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  incrFloatNaN: 'ERR increment would produce NaN or Infinity',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  sameObject: 'ERR source and destination objects are the same',
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetOutOfRange: 'ERR offset is out of range',
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  timeoutNegative: 'ERR timeout is negative',
  unknownCommand: (name: string, args: string) =>
    `ERR unknown command '${name}', with args beginning with: ${args}`,
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${sub}'. Try ${cmd} HELP.`,
  wrongArity: (fullname: string) => `ERR wrong number of arguments for '${fullname}' command`,
  protocol: (what: string) => `ERR Protocol error: ${what}`,
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNotConfigured:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  noProto: 'NOPROTO unsupported protocol version',
  loading: 'LOADING Redis is loading the dataset in memory',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  noSuchClient: 'ERR No such client',
  clientNameSpaces: 'ERR Client names cannot contain spaces, newlines or special characters.',
  unsupportedConfig: (name: string) => `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`,
  maxClients: 'ERR max number of clients reached',
} as const;
