// Version strings: the Redis version Cinnabar behaves as (INFO redis_version, HELLO, fatal
// config messages that tools grep for) and Cinnabar's own (package.json).

export const REDIS_VERSION = '7.0.15';
export const CINNABAR_VERSION: string = (require('../../package.json') as { version: string }).version;
