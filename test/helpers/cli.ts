import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm test` builds it first, in pretest). */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export function tempDir(prefix = 'papo-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliServer {
  child: ChildProcessWithoutNullStreams;
  port: number;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

/** Runs `papo server` as a child process on a free port and waits for its `listening on` line. */
export async function spawnServer(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliServer> {
  const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--data-dir', tempDir(), ...args], {
    env: { ...process.env, LANG: 'C', ...env },
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  let out = '';
  child.stdout.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 10_000);
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /listening on \S+:(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${err}`));
    });
  });
  return { child, port, stderr: () => err, exited };
}

/** What a run of the CLI gets besides its arguments and environment. */
export interface RunCliOptions {
  /** Written to its stdin, which is then closed; without it stdin stays open. */
  input?: string;
  /** A safety net: the child is killed (code null) if it runs longer, in ms. */
  timeoutMs?: number;
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  { input, timeoutMs }: RunCliOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LANG: 'C', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (input !== undefined) child.stdin.end(input);
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
