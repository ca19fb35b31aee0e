// (placeholder: being written) incrbyfloat commands.

import type { CommandSpec } from './spec';

export const incrbyfloatCommands: CommandSpec[] = [];
