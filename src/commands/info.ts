// (placeholder: being written) info commands.

import type { CommandSpec } from './spec';

export const infoCommands: CommandSpec[] = [];
