// (placeholder: being written) object commands.

import type { CommandSpec } from './spec';

export const objectCommands: CommandSpec[] = [];
