// The scale-out commands as a CLI of their own, for tests that run a role as a child process (and kill it).
import { Command } from 'commander';
import { registerScaleCommands } from '../../src/cli/scale-commands.ts';

const program = new Command('orderflow');
registerScaleCommands(program);
await program.parseAsync(process.argv);
