// (placeholder: being written) expire commands.

import type { CommandSpec } from './spec';

export const expireCommands: CommandSpec[] = [];
