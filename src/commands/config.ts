// (placeholder: being written) config commands.

import type { CommandSpec } from './spec';

export const configCommands: CommandSpec[] = [];
