// Every command module, in one list: the registry builds the command table from it.

import type { CommandSpec } from './spec';
import { connectionCommands } from './connection';
import { stringCommands } from './strings';

export function allCommandSpecs(): CommandSpec[] {
  return [...connectionCommands, ...stringCommands];
}
