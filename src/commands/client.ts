// (placeholder: being written) client commands.

import type { CommandSpec } from './spec';

export const clientCommands: CommandSpec[] = [];
