#!/usr/bin/env -S node --max-semi-space-size=4
import { Command } from 'commander';
import { VERSION } from './version.js';

/** Each subcommand's module is loaded only when it is the one asked for: `papo client` starts faster. */
const SUBCOMMANDS: Record<string, () => Promise<Command>> = {
  server: async () => (await import('./server/command.js')).serverCommand(),
  client: async () => (await import('./client/command.js')).clientCommand(),
  bench: async () => (await import('./bench/index.js')).benchCommand(),
  admin: async () => (await import('./server/admin-command.js')).adminCommand(),
};

const program = new Command('papo')
  .description('papo (bate-papo): a multi-user chat you can reach with nc, telnet, papo client or JSON lines')
  .version(VERSION, '-V, --version');

const chosen = process.argv[2];
const names = chosen !== undefined && chosen in SUBCOMMANDS ? [chosen] : Object.keys(SUBCOMMANDS);
for (const name of names) program.addCommand(await (SUBCOMMANDS[name] as () => Promise<Command>)());

await program.parseAsync(process.argv);
