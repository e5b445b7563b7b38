// `npm start` / `npm run demo`: runs `orderflow serve` with the given flags (until src/cli/main.ts registers it).
import { Command } from 'commander';
import { registerServeCommand } from '../src/cli/serve-command.ts';

const program = new Command('orderflow');
registerServeCommand(program);
await program.parseAsync(['node', 'orderflow', 'serve', ...process.argv.slice(2)]);
