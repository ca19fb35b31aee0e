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
  bgsaveInProgress: 'ERR Background save already in progress',
  misconfAof: (reason: string) => `MISCONF Errors writing to the AOF file: ${reason}`,
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  noSuchClient: 'ERR No such client',
  clientNameSpaces: 'ERR Client names cannot contain spaces, newlines or special characters.',
  unsupportedConfig: (name: string) => `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`,
  // CONFIG (commands/config.ts).
  configSetFailed: (name: string, reason: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`,
  noConfigFile: 'ERR The server is running without a config file',
  configRewriteFailed: (reason: string) => `ERR Rewriting config file: ${reason}`,
  maxClients: 'ERR max number of clients reached',
  // Keyspace and expiry commands (keys.ts, expire.ts, object.ts).
  invalidCursor: 'ERR invalid cursor',
  valueOutOfRange: (min: number | bigint, max: number | bigint) => `ERR value is out of range, value must between ${min} and ${max}`,
  invalidFirstDbIndex: 'ERR invalid first DB index',
  invalidSecondDbIndex: 'ERR invalid second DB index',
  moveInCluster: 'ERR MOVE is not allowed in cluster mode',
  swapdbInCluster: 'ERR SWAPDB is not allowed in cluster mode',
  copyDbInCluster: 'ERR Copying to another database is not allowed in cluster mode',
  expireNxWithOthers: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  expireGtAndLt: 'ERR GT and LT options at the same time are not compatible',
  unsupportedOption: (opt: string) => `ERR Unsupported option ${opt}`,
  lfuNotSelected:
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  lfuSelected:
    'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  getkeysInvalidCommand: 'ERR Invalid command specified',
  getkeysNoKeys: 'ERR The command has no key arguments',
  getkeysInvalidArity: 'ERR Invalid number of arguments specified for command',
  getkeysInvalidArgs: 'ERR Invalid arguments specified for command',
  lcsNotStrings: 'ERR The specified keys must contain string values',
  lcsLenAndIdx: 'ERR If you want both the length and indexes, please just use IDX.',
  lcsTooMuchMemory: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
  lcsAllocFailed: 'ERR Insufficient memory, failed allocating transient memory for LCS',
  // Connection and server control (hello.ts, client.ts, server-commands.ts, debug.ts).
  helloProtoNotInteger: 'ERR Protocol version is not an integer or out of range',
  helloSyntax: (opt: string) => `ERR Syntax error in HELLO option '${opt}'`,
  helloNoAuth:
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  resetNotNormal: 'ERR can only reset normal client connections',
  subcommandSyntax: (sub: string, cmd: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try ${cmd} HELP.`,
  unknownClientType: (type: string) => `ERR Unknown client type '${type}'`,
  invalidClientId: 'ERR Invalid client ID',
  clientIdPositive: 'ERR client-id should be greater than 0',
  noSuchUser: (user: string) => `ERR No such user '${user}'`,
  unblockReason: 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR',
  cachingWithoutTracking:
    'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
  noShutdownInProgress: 'ERR No shutdown in progress.',
  debugNotAllowed:
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  mustBePositive: 'ERR value is out of range, must be positive',
  resp2NotSupported: 'ERR RESP2 is not supported by this command',
  debugProtocolType:
    'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
  // Pub/sub (commands/pubsub.ts, gatekeeper.ts).
  pubsubContext: (fullname: string) =>
    `ERR Can't execute '${fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  denyBlocking: (cmd: string) => `ERR ${cmd} isn't allowed for a DENY BLOCKING client`,
} as const;
