// (placeholder: being written) keys commands.

import type { CommandSpec } from './spec';

export const keyCommands: CommandSpec[] = [];
