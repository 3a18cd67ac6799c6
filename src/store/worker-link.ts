import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Call, CallResults, FromWorker, ToWorker, WorkerStart } from './worker-protocol.js';

/**
 * Longest wait for the worker's answer to a call, in ms. Calls wait behind the batches posted
 * before them (a checkpoint takes tens of ms); past this the worker is taken for stuck.
 */
const CALL_TIMEOUT_MS = 30_000;

export type CallAnswer<K extends Call['op']> =
  { ok: true; value: CallResults[K] } | { ok: false; reason: string };
type Opened = Extract<FromWorker, { type: 'opened' }>;

/**
 * Starts the history worker. The bootstrap marks the worker gone in the shared signal when its
 * thread ends for any reason, so a main thread blocked on a call wakes up at once. Under tsx
 * (tests), Node 20 runs tsx's loader on the main thread only: the bootstrap registers it first.
 */
function startWorker(start: WorkerStart): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const script = new URL(`./history-worker${ext === '.ts' ? '.ts' : '.js'}`, import.meta.url).href;
  const loader =
    ext === '.ts'
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.register())`
      : 'Promise.resolve()';
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    process.on('exit', () => {
      Atomics.store(workerData.signal, 1, 1);
      Atomics.add(workerData.signal, 0, 1);
      Atomics.notify(workerData.signal, 0);
    });
    ${loader}.then(() => import(${JSON.stringify(script)}));`;
  return new Worker(bootstrap, { eval: true, workerData: start, transferList: [start.port] });
}

/**
 * The main thread's end of the history worker: posts batches and calls in one ordered stream.
 * Reads are answered through a callback on the event loop (`callLater`). A few calls wait
 * instead (`call`), blocking on a shared flag until the worker has replied (the worker posts the
 * reply, then bumps and notifies the flag; the "synckit" pattern): opening and closing, the lag
 * bound (a deliberate, bounded wait, see MAX_BACKLOG_IDS), and diagnostics tests use.
 */
export class WorkerLink {
  /** Why the worker is no longer there, or null while it runs. */
  gone: string | null = null;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private nextCallId = 1;
  /** Calls answered through a callback (`callLater`), by id. */
  private readonly later = new Map<number, (answer: CallAnswer<Call['op']>) => void>();
  private closing = false;
  private lastError: Error | null = null;

  /**
   * `onMessage` gets what the worker sends unasked (`deferred`: it arrived while a call was
   * waiting, i.e. from inside some caller's code); `onGone` is told once if the worker stops.
   */
  constructor(
    start: Omit<WorkerStart, 'signal' | 'port'>,
    private readonly onMessage: (msg: FromWorker, deferred: boolean) => void,
    private readonly onGone: (error: Error) => void,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = startWorker({ ...start, signal: this.signal, port: port2 });
    this.worker.on('error', (err) => (this.lastError = err));
    this.worker.on('exit', (code) => this.lost(this.lastError ?? new Error(`it exited with code ${code}`)));
    this.port.on('message', (msg: FromWorker) => this.route(msg, false));
    // The server's life is its sockets: an idle history worker must not keep the process up.
    this.worker.unref();
    this.port.unref();
  }

  /** Waits for the worker's open result; null if it never came. */
  opened(): Opened | null {
    return this.wait((m): m is Opened => m.type === 'opened');
  }

  /** Posts a batch or an order; nothing once the worker is gone (the journal keeps the data). */
  post(msg: ToWorker): void {
    if (this.gone === null) this.worker.postMessage(msg);
  }

  /** Runs `call` in the worker after everything posted before it, and waits for its answer. */
  call<K extends Call['op']>(call: Extract<Call, { op: K }>): CallAnswer<K> {
    if (this.gone !== null) return { ok: false, reason: this.gone };
    const id = this.nextCallId++;
    this.worker.postMessage({ type: 'call', id, call } satisfies ToWorker);
    const reply = this.wait(
      (m): m is Extract<FromWorker, { type: 'reply' }> => m.type === 'reply' && m.id === id,
    );
    if (reply === null) return { ok: false, reason: this.gone ?? 'the history store did not answer' };
    return { ok: true, value: reply.value as CallResults[K] };
  }

  /**
   * Runs `call` in the worker after everything posted before it, without waiting: `done` gets
   * the answer from the event loop once the worker has replied (or has stopped).
   */
  callLater<K extends Call['op']>(
    call: Extract<Call, { op: K }>,
    done: (answer: CallAnswer<K>) => void,
  ): void {
    if (this.gone !== null) {
      const reason = this.gone;
      queueMicrotask(() => done({ ok: false, reason }));
      return;
    }
    const id = this.nextCallId++;
    this.later.set(id, done as (answer: CallAnswer<Call['op']>) => void);
    this.port.ref(); // an answer on its way keeps the process up, until it comes
    this.worker.postMessage({ type: 'call', id, call } satisfies ToWorker);
  }

  /** Stops listening; stops the worker too unless it `ended` by itself (after a `close` call). */
  close(ended: boolean): void {
    this.closing = true;
    if (!ended) void this.worker.terminate();
    this.port.close();
  }

  /**
   * Blocks until the worker sends a message `match`es, handing others to onMessage. Returns
   * null when the worker is gone or has not answered within CALL_TIMEOUT_MS (it is then stopped).
   */
  private wait<T extends FromWorker>(match: (m: FromWorker) => m is T): T | null {
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const found = this.drain(match);
      if (found !== null) return found;
      if (Atomics.load(this.signal, 1) === 1) {
        // It may have replied just before its thread ended.
        const last = this.drain(match);
        if (last === null) this.lost(new Error('its thread ended'));
        return last;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.lost(new Error(`no answer within ${CALL_TIMEOUT_MS / 1000} s`));
        void this.worker.terminate();
        return null;
      }
      Atomics.wait(this.signal, 0, seen, left);
    }
  }

  private drain<T extends FromWorker>(match: (m: FromWorker) => m is T): T | null {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as FromWorker;
      if (match(msg)) return msg;
      this.route(msg, true);
    }
    return null;
  }

  /** Hands a reply to its `callLater` callback (soon, when `deferred`), anything else to onMessage. */
  private route(msg: FromWorker, deferred: boolean): void {
    const done = msg.type === 'reply' ? this.later.get(msg.id) : undefined;
    if (msg.type !== 'reply' || done === undefined) return this.onMessage(msg, deferred);
    this.later.delete(msg.id);
    if (this.later.size === 0) this.port.unref();
    const answer = { ok: true, value: msg.value } as CallAnswer<Call['op']>;
    if (deferred) queueMicrotask(() => done(answer));
    else done(answer);
  }

  /** The worker stopped unasked: say so once; reads answer "unavailable" from now on. */
  private lost(error: Error): void {
    if (this.gone !== null || this.closing) return;
    this.gone = 'the history store stopped';
    const reason = this.gone;
    for (const done of this.later.values()) queueMicrotask(() => done({ ok: false, reason }));
    this.later.clear();
    this.port.unref();
    this.onGone(Object.assign(new Error(`the history worker stopped: ${error.message}`), { cause: error }));
  }
}
