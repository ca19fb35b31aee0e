// (placeholder: being written) server-commands commands.

import type { CommandSpec } from './spec';

export const serverCommands: CommandSpec[] = [];
