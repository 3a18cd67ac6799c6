import { createInterface } from 'node:readline';
import { sanitizeText } from '../core/text.js';
import type { ServerMessage } from '../protocol/json-messages.js';
import { helpLines, papoCommandOf, parseInput } from './input.js';
import { convertShortcodes } from './emoji.js';
import { plainServerLines } from './plain-render.js';
import { sessionOptions, type ClientRun } from './run.js';
import { roomKey } from './rooms.js';
import { ChatSession, type SessionEvent } from './session.js';
import { CLIENT_TEXTS, failureText } from './texts.js';
import { defaultDownloadDir, FILE_TEXTS, fileOfferText, parseFileCommand, Transfers } from './files/index.js';

/** Reconnect attempts in a row before a script gives up (a person at a terminal never does). */
const PIPE_MAX_ATTEMPTS = 8;

/**
 * The client without a terminal: each input line is a message or command, each event one
 * output line (`--json`: the server's JSON line). At the end of input it waits until every
 * message is acknowledged, leaves and exits 0; 1 if something was refused or failed.
 */
export function runPipe(run: ClientRun): Promise<number> {
  const { io, lang } = run;
  const t = CLIENT_TEXTS[lang];
  const out = (line: string): void => void io.output.write(`${line}\n`);
  const err = (line: string): void => void io.error.write(`papo: ${line}\n`);
  let problems = 0;
  let held: string[] = [];
  let ready = false; // lines go to the session; until then they are held
  let wantName = false;
  let wantPassword = false;
  let joined = false;
  let inputEnded = false;
  let foreign = false; // a plain-text server that is not papo (not --plain)
  // --room: lines wait until the server has put the user in that room, then go there (#12).
  let roomPending = false;
  // Records of the replay on joining still to skip: history only with --history (issue #17).
  let replaySkip = 0;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));

  const options = { ...sessionOptions(run), maxAttempts: PIPE_MAX_ATTEMPTS };
  const session = new ChatSession(options, (e) => onSessionEvent(e));
  // /send and /get (issue #14): one line per finished transfer, no progress bar.
  const transfers = new Transfers({
    lang,
    offerFile: (request) => session.offerFile(request),
    lookUpFile: (id) => session.lookUpFile(id),
    downloadDir: () => defaultDownloadDir(),
    progress: () => {},
    done: (text) => out(run.json ? JSON.stringify({ type: 'transfer', text }) : text),
    info: (text) => err(text),
    failed: (text) => {
      problems++;
      err(text);
    },
  });

  function handleLine(line: string): void {
    if (leaving) return; // nothing after /quit or sair is sent
    if (session.protocol === 'plain') {
      // papo's commands mean nothing to another server, which would show them to everyone.
      const command = foreign ? papoCommandOf(line) : null;
      if (command !== null) return err(t.notPapoCommand(command));
      // Files need a papo server: never sent as a line for everyone to read (#14).
      if (parseFileCommand(line) !== null) {
        problems++;
        return err(FILE_TEXTS[lang].notPapo);
      }
      // `/quit` is the client's own way out; `sair` is the original protocol's, so it is sent.
      const word = line.trim().toLowerCase();
      if (word !== '/quit') session.sendPlain(convertShortcodes(line));
      if (word === '/quit' || word === 'sair') void leave();
      return;
    }
    const file = parseFileCommand(line);
    if (file !== null) return transfers.run(file);
    const parsed = parseInput(line, lang, session.rooms.current);
    switch (parsed.kind) {
      case 'none':
        return;
      case 'help':
        return void helpLines(lang).forEach((l) => out(l));
      case 'quit':
        return void leave();
      case 'switch':
        // Later lines go to that room (one the client is in).
        if (session.rooms.switchTo(parsed.room)) return;
        problems++;
        return err(t.notInRoom(sanitizeText(parsed.room)));
      case 'error':
        problems++;
        return err(parsed.message);
      case 'request':
        return session.send(parsed.request);
    }
  }

  function release(): void {
    if (wantPassword) {
      const password = held.shift();
      if (password === undefined) {
        if (inputEnded) finish(1, t.pipeNeedsName);
        return;
      }
      wantPassword = false;
      session.authPassword(password);
      return;
    }
    if (wantName) {
      const name = held.shift();
      if (name === undefined) {
        if (inputEnded) finish(1, t.pipeNeedsName);
        return;
      }
      wantName = false;
      session.join(name.trim());
      // Lines wait for the welcome: a registered name may ask for its password first.
      return;
    }
    if (roomPending || !joined) return;
    ready = true;
    const lines = held;
    held = [];
    for (const l of lines) handleLine(l);
    if (inputEnded) void leave();
  }

  let leaving = false;
  async function leave(): Promise<void> {
    if (leaving) return;
    leaving = true;
    await transfers.idle();
    await session.settled();
    await session.quit();
  }

  function onSessionEvent(e: SessionEvent): void {
    switch (e.type) {
      case 'connecting':
      case 'acked':
        return;
      case 'joined':
        joined = true;
        return release();
      case 'connected':
        if (e.protocol === 'json' && run.room !== undefined && !session.rooms.has(run.room)) {
          roomPending = true;
          session.send({ type: 'join_room', room: run.room });
        }
        if (e.protocol === 'plain') {
          foreign = e.why === 'greeting';
          if (run.json) out(JSON.stringify({ type: 'plain-mode' }));
          else err(t.plainMode(e.why));
          joined = true; // a plain-text chat: lines go as typed, the first one the name
          release();
        }
        return;
      case 'server':
        if (roomPending && e.message.type === 'room' && roomKey(e.message.room) === roomKey(run.room ?? '')) {
          roomPending = false;
          release();
        }
        if (run.json) return out(e.line); // stored messages are marked `history: true` there
        if (!run.history && isReplay(e.message)) {
          if (e.message.type === 'history') replaySkip = e.message.count;
          else replaySkip--;
          return;
        }
        return void plainServerLines(lang, e.message, session.rooms.current).forEach((l) => out(l));
      case 'plain':
        return out(run.json ? JSON.stringify({ type: 'plain', text: e.line }) : sanitizeText(e.line));
      case 'password-needed':
        // The next line of input is the password.
        wantPassword = true;
        return release();
      case 'file':
        transfers.seen(e.message);
        return out(run.json ? e.line : fileOfferText(e.message, lang, session.name, session.rooms.current));
      case 'name-needed':
        if (e.problem) return finish(1, e.problem);
        wantName = true;
        return release();
      case 'refused':
        if (roomPending && e.request.type === 'join_room') return finish(1, t.refused(e.message));
        problems++;
        return err(t.refused(e.message));
      case 'lost':
        return err(t.lost);
      case 'retrying':
        return err(t.retrying(e.delayMs / 1000, e.attempt));
      case 'reclaiming':
        return err(t.reclaiming(e.name));
      case 'failed':
        return finish(1, failureText(t, run.address, e.failure));
      case 'closed':
        return finish(problems > 0 ? 1 : 0);
    }
  }

  /** The replay that follows joining: its header, then its `count` stored messages. */
  function isReplay(m: ServerMessage): boolean {
    if (m.type === 'history') return m.kind === 'replay' && m.ref === undefined;
    return (m.type === 'message' || m.type === 'action') && m.history === true && replaySkip > 0;
  }

  const lines = createInterface({ input: io.input, crlfDelay: Infinity, terminal: false });
  function finish(code: number, message?: string): void {
    if (message) err(message);
    lines.close();
    resolveExit(code);
  }
  lines.on('line', (line) => (ready ? handleLine(line) : held.push(line)));
  lines.on('close', () => {
    inputEnded = true;
    if (ready) void leave();
    else if (wantName || wantPassword) release();
  });
  io.output.on('error', () => {}); // a reader that went away (`| head`) is not our failure
  session.start();
  return exited;
}
