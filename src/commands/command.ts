// (placeholder: being written) command commands.

import type { CommandSpec } from './spec';

export const commandCommands: CommandSpec[] = [];
