// (placeholder: being written) debug commands.

import type { CommandSpec } from './spec';

export const debugCommands: CommandSpec[] = [];
