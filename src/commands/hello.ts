// (placeholder: being written) hello commands.

import type { CommandSpec } from './spec';

export const helloCommands: CommandSpec[] = [];
