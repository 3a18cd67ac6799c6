import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HashJob, HashReady, HashReply } from './hash-protocol.js';

export interface HashPoolOptions {
  /** Child processes, each hashing one password at a time: the most hashes at once. */
  processes: number;
  /** Their CPU priority (nice value, 19 the lowest): the chat's threads go first. */
  priority: number;
  /** Longest wait for one hash once sent to a child, in ms; then the child is killed. */
  timeoutMs: number;
  /** Longest wait for a child to start, in ms. */
  startTimeoutMs: number;
  /** Told when a child dies, overruns or cannot start (the server logs it). */
  onTrouble?: (problem: string) => void;
}

export const HASH_POOL_DEFAULTS: HashPoolOptions = {
  // One core is left to the chat: two hashes on two cores would still take every core it has.
  processes: Math.max(1, availableParallelism() - 1),
  priority: 19,
  timeoutMs: 30_000,
  startTimeoutMs: 30_000,
};

/** scrypt's inputs, once parsed: what one job derives. */
export type DeriveRequest = Omit<HashJob, 'id'>;

interface Job {
  request: DeriveRequest;
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

interface Slot {
  /** Its place in `slots`. */
  index: number;
  child: ChildProcess;
  ready: boolean;
  /** Its exit (or failure to start) has been handled. */
  gone: boolean;
  /** It was killed for taking too long (said already: its exit is no news). */
  overran: boolean;
  job: (Job & { id: number }) | null;
  timer: NodeJS.Timeout | null;
}

/**
 * A child starting or hashing keeps this process running (its exit must be seen, or a login
 * would wait for ever); an idle one does not (the server's life is its sockets).
 */
function awake(child: ChildProcess, yes: boolean): void {
  if (yes) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

/** The child's script beside this file; under tsx (tests) the child loads tsx as well. */
function childScript(): { script: string; execArgv: string[] } {
  const ext = extname(fileURLToPath(import.meta.url));
  const script = fileURLToPath(new URL(`./hash-child${ext === '.ts' ? '.ts' : '.js'}`, import.meta.url));
  return { script, execArgv: ext === '.ts' ? ['--import', import.meta.resolve('tsx')] : [] };
}

/**
 * Password hashing in child processes at a low CPU priority (ARCHITECTURE.md, "Accounts"). On
 * libuv's pool a hash is a thread of the server's own process, as urgent to the kernel as the
 * event loop, and on a small machine it takes the core the chat needs; a child at nice 19 runs
 * when the chat's threads are idle. Children start on the first hash and stay; one that dies or
 * overruns `timeoutMs` fails its job with an Error (never a hang) and is started again for the
 * next. Queued jobs wait in order.
 */
export class HashPool {
  private readonly options: HashPoolOptions;
  private readonly slots: Array<Slot | null>;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: Partial<HashPoolOptions> = {}) {
    this.options = { ...HASH_POOL_DEFAULTS, ...options };
    this.slots = Array.from({ length: Math.max(1, this.options.processes) }, () => null);
  }

  /** Derives a scrypt key in a child; rejects if the child fails, dies, overruns, or the pool closes. */
  derive(request: DeriveRequest): Promise<Buffer> {
    if (this.closed)
      return Promise.reject(new Error('password hashing has stopped (the server is shutting down)'));
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** The children's process ids (tests, diagnostics). */
  pids(): number[] {
    return this.slots.flatMap((s) => (s?.child.pid === undefined ? [] : [s.child.pid]));
  }

  /** How many hashes are under way in children (tests). */
  inFlight(): number {
    return this.slots.filter((s) => s?.job != null).length;
  }

  /** Stops every child and fails every job not yet answered. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const why = new Error('password hashing has stopped (the server is shutting down)');
    for (const job of this.queue.splice(0)) job.reject(why);
    for (const [i, slot] of this.slots.entries()) {
      if (!slot) continue;
      this.slots[i] = null;
      this.settle(slot, why);
      slot.child.kill('SIGKILL');
    }
  }

  /** Idle children take the next jobs; children start for the jobs left, one per job at most. */
  private dispatch(): void {
    for (const slot of this.slots)
      if (slot?.ready && slot.job === null && this.queue.length > 0)
        this.send(slot, this.queue.shift() as Job);
    let starting = this.slots.filter((s) => s !== null && !s.ready).length;
    for (const [i, slot] of this.slots.entries()) {
      if (slot !== null || this.queue.length <= starting) continue;
      this.start(i);
      starting++;
    }
  }

  private start(i: number): void {
    const { script, execArgv } = childScript();
    const child = fork(script, [], {
      execArgv,
      env: { ...process.env, PAPO_HASH_PRIORITY: String(this.options.priority) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    });
    const slot: Slot = { index: i, child, ready: false, gone: false, overran: false, job: null, timer: null };
    this.slots[i] = slot;
    slot.timer = this.timer(slot, this.options.startTimeoutMs, 'to start');
    child.on('message', (msg: HashReady | HashReply) => this.onChildMessage(slot, msg));
    // No pid: it never started, and no 'exit' follows. Otherwise a failed send: 'exit' follows.
    child.on('error', (err) =>
      child.pid === undefined ? this.onChildExit(i, slot, err.message) : child.kill('SIGKILL'),
    );
    child.on('exit', (code, signal) => this.onChildExit(i, slot, signal ?? `code ${code}`));
  }

  private send(slot: Slot, job: Job): void {
    const id = this.nextId++;
    slot.job = { ...job, id };
    awake(slot.child, true);
    slot.timer = this.timer(slot, this.options.timeoutMs, 'to hash a password');
    slot.child.send({ id, ...job.request } satisfies HashJob);
  }

  private timer(slot: Slot, ms: number, what: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const problem = `password hashing took over ${ms} ms ${what}`;
      this.options.onTrouble?.(problem);
      this.settle(slot, new Error(problem));
      slot.overran = true;
      slot.child.kill('SIGKILL');
      // Its place is free at once: no job goes to a child on its way out.
      if (this.slots[slot.index] === slot) this.slots[slot.index] = null;
      if (slot.ready) this.dispatch();
    }, ms);
    timer.unref();
    return timer;
  }

  private onChildMessage(slot: Slot, msg: HashReady | HashReply): void {
    if ('ready' in msg) {
      slot.ready = true;
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      awake(slot.child, false);
      return this.dispatch();
    }
    const job = slot.job;
    if (job?.id !== msg.id) return;
    this.settle(slot, null);
    if ('key' in msg) job.resolve(Buffer.from(msg.key, 'base64'));
    else job.reject(new Error(`scrypt refused: ${msg.error}`));
    this.dispatch();
  }

  /** Ends the slot's job (failing it with `error`, if given) and its timer; the child goes idle. */
  private settle(slot: Slot, error: Error | null): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const job = slot.job;
    slot.job = null;
    awake(slot.child, false);
    if (job && error) job.reject(error);
  }

  private onChildExit(i: number, slot: Slot, how: string): void {
    if (slot.gone) return;
    slot.gone = true;
    if (!this.closed && !slot.overran)
      this.options.onTrouble?.(`the password hashing process ended (${how})`);
    this.settle(slot, new Error(`the password hashing process ended (${how}) during the hash`));
    if (this.slots[i] === slot) this.slots[i] = null;
    if (this.closed) return;
    // A child that never started fails the queue rather than be started again in a loop (unless
    // another child runs, which will take it).
    if (!slot.ready && !this.slots.some((s) => s?.ready)) {
      const why = new Error(`the password hashing process could not start (${how})`);
      for (const job of this.queue.splice(0)) job.reject(why);
      return;
    }
    this.dispatch();
  }
}
