import { Option } from 'commander';
import { checkName } from '../core/names.js';
import { sanitizeText } from '../core/text.js';
import { fail } from '../cli-util.js';
import { defaultDataDir } from './options.js';

/** `--data-dir`, as every `papo admin` command takes it. */
export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'the server’s data directory')
    .env('PAPO_DATA_DIR')
    .default(defaultDataDir(), '~/.local/share/papo');
}

/** A user name given on the command line, checked as the server checks names; else stops with one line. */
export function validName(raw: string): string {
  const check = checkName(raw);
  if (!check.ok) fail(`${JSON.stringify(sanitizeText(raw))} is not a valid name`);
  return check.name;
}
