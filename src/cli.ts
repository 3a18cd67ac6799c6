#!/usr/bin/env node
import { Command } from 'commander';
import { benchCommand } from './bench/index.js';
import { clientCommand } from './client/command.js';
import { serverCommand } from './server/command.js';
import { VERSION } from './version.js';

const program = new Command('papo')
  .description('papo (bate-papo): a multi-user chat you can reach with nc, telnet, papo client or JSON lines')
  .version(VERSION, '-V, --version')
  .addCommand(serverCommand())
  .addCommand(clientCommand())
  .addCommand(benchCommand());

await program.parseAsync(process.argv);
