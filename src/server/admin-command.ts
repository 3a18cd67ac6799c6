import { closeSync, existsSync, openSync, readSync, statSync, watchFile } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { fail } from '../cli-util.js';
import { accountsCommand } from './admin-accounts.js';
import { nameKey } from '../core/names.js';
import { sanitizeText } from '../core/text.js';
import { AUDIT_LOG_FILE, formatAuditLine, readOpsFile, writeOpsFile } from './moderation-files.js';
import { dataDirOption, validName } from './admin-args.js';
import { makeDataDir } from './data-dir.js';

function opsCommand(): Command {
  const ops = new Command('ops').description(
    'edit the server operators kept in <data-dir>/ops (a running server sees a change at once)',
  );
  ops
    .command('add')
    .description('make the registered account NAME a server operator')
    .argument('<name>')
    .addOption(dataDirOption())
    .action((raw: string, o: { dataDir: string }) => {
      const name = validName(raw);
      makeDataDir(o.dataDir);
      const names = readOpsFile(o.dataDir);
      if (names.some((n) => nameKey(n) === nameKey(name)))
        return void process.stdout.write(`${name} is already an operator\n`);
      writeOpsFile(o.dataDir, [...names, name]);
      process.stdout.write(`${name} is a server operator now\n`);
    });
  ops
    .command('remove')
    .description('NAME is no longer a server operator (names given with --ops stay)')
    .argument('<name>')
    .addOption(dataDirOption())
    .action((raw: string, o: { dataDir: string }) => {
      const name = validName(raw);
      const names = readOpsFile(o.dataDir);
      const left = names.filter((n) => nameKey(n) !== nameKey(name));
      if (left.length === names.length) fail(`${name} is not in ${join(o.dataDir, 'ops')}`);
      writeOpsFile(o.dataDir, left);
      process.stdout.write(`${name} is no longer a server operator\n`);
    });
  ops
    .command('list')
    .description('list the operators in <data-dir>/ops (not those given with --ops)')
    .addOption(dataDirOption())
    .action((o: { dataDir: string }) => {
      for (const n of readOpsFile(o.dataDir)) process.stdout.write(`${n}\n`);
    });
  return ops;
}

/** Prints the audit log's lines from byte `from`; returns where it stopped (after the last whole line). */
function printFrom(file: string, from: number, json: boolean): number {
  const size = statSync(file).size;
  if (size <= from) return size < from ? 0 : from;
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(size - from);
  readSync(fd, buf, 0, buf.length, from);
  closeSync(fd);
  const text = buf.toString('utf8');
  const end = text.lastIndexOf('\n') + 1;
  for (const line of text.slice(0, end).split('\n')) {
    if (line !== '') process.stdout.write(`${json ? sanitizeText(line) : formatAuditLine(line)}\n`);
  }
  return from + Buffer.byteLength(text.slice(0, end));
}

function logCommand(): Command {
  return new Command('log')
    .description('print the moderation audit log (<data-dir>/audit.log) readably, oldest first')
    .option('-f, --follow', 'keep printing actions as they are appended')
    .option('--json', 'print the JSON lines as stored')
    .addOption(dataDirOption())
    .action((o: { dataDir: string; follow?: boolean; json?: boolean }) => {
      const file = join(o.dataDir, AUDIT_LOG_FILE);
      if (!existsSync(file) && !o.follow)
        return void process.stderr.write(`papo: no audit log yet in ${o.dataDir}\n`);
      let at = existsSync(file) ? printFrom(file, 0, Boolean(o.json)) : 0;
      if (!o.follow) return;
      watchFile(file, { interval: 500 }, () => {
        if (existsSync(file)) at = printFrom(file, at, Boolean(o.json));
      });
    });
}

/** `papo admin`: server operators, the moderation audit log and accounts, on the data directory. */
export function adminCommand(): Command {
  return new Command('admin')
    .description(
      'administer a server’s data directory: operators (ops), the audit log (log), registered names (accounts)',
    )
    .addCommand(opsCommand())
    .addCommand(logCommand())
    .addCommand(accountsCommand());
}
