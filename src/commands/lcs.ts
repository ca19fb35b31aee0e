// (placeholder: being written) lcs commands.

import type { CommandSpec } from './spec';

export const lcsCommands: CommandSpec[] = [];
