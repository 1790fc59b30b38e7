import { GamedayError } from '../../core/errors.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async () => {
  throw new GamedayError('INVALID_INPUT', '`validate` is not implemented yet');
};
