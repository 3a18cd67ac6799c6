/**
 * The password-hashing child process (`hash-pool.ts` starts it with `fork`). It derives scrypt
 * keys on its main thread, one at a time, at the lowest CPU priority: the kernel runs it only
 * when the chat's threads have nothing to do (ARCHITECTURE.md, "Accounts"). It lowers itself
 * once loaded, not the parent at once: loading at nice 19 on a busy machine would keep the first
 * login waiting for nothing. It exits when its parent goes (the IPC channel closes).
 */
import { scryptSync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { HashJob, HashReply } from './hash-protocol.js';

/** Lowest priority (nice 19). On Linux a thread's nice value is its own: renice every thread there is. */
function lowerPriority(priority: number): void {
  let threads: number[] = [];
  try {
    threads = readdirSync('/proc/self/task').map(Number);
  } catch {
    // Not Linux: setpriority on the process covers it.
  }
  for (const id of [0, ...threads]) {
    try {
      setPriority(id, priority);
    } catch {
      // A thread that ended meanwhile, or a system that refuses: the main thread's try above stands.
    }
  }
}

function derive(job: HashJob): HashReply {
  try {
    const key = scryptSync(job.password, Buffer.from(job.salt, 'base64'), job.keyBytes, {
      N: job.N,
      r: job.r,
      p: job.p,
      maxmem: job.maxmem,
    });
    return { id: job.id, key: key.toString('base64') };
  } catch (err) {
    return { id: job.id, error: (err as Error).message };
  }
}

const priority = Number(process.env.PAPO_HASH_PRIORITY ?? 19);
lowerPriority(Number.isInteger(priority) ? priority : 19);
process.on('message', (job: HashJob) => process.send?.(derive(job)));
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
