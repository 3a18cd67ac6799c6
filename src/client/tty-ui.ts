import { emitKeypressEvents } from 'node:readline';
import { checkName, nameKey } from '../core/names.js';
import { sanitizeText } from '../core/text.js';
import type { ServerMessage } from '../protocol/json-messages.js';
import { TEXTS } from '../protocol/texts.js';
import { commandWords, helpLines, papoCommandOf, parseInput } from './input.js';
import { convertShortcodes, shortcodesStartingWith } from './emoji.js';
import { applyKey, roomNumber, type Key } from './keys.js';
import { LineEditor } from './line-editor.js';
import {
  highlightMentions,
  localClock,
  nameColor,
  renderError,
  renderInfo,
  renderNotice,
  renderOwn,
  renderPlainLine,
  renderServerMessage,
  type RenderContext,
  type RenderedLine,
} from './render.js';
import { ChatSession, type SessionEvent } from './session.js';
import { toAnsi, wrapStyled } from './styled.js';
import { CLIENT_TEXTS, failureText } from './texts.js';
import { InputArea } from './tty-screen.js';
import { roomsStatusParts } from './rooms.js';
import { sessionOptions, type ClientRun } from './run.js';
import {
  defaultDownloadDir,
  FILE_TEXTS,
  fileOfferText,
  parseFileCommand,
  progressText,
  Transfers,
  type FileMessage,
  type Progress,
} from './files/index.js';

/**
 * The interactive client: a line editor at the bottom, chat above it. Incoming lines are
 * printed above the input, which is then drawn again with the cursor where it was.
 */
export function runTty(run: ClientRun): Promise<number> {
  const { io, lang } = run;
  const input = io.input as NodeJS.ReadStream;
  const output = io.output as NodeJS.WriteStream;
  const t = CLIENT_TEXTS[lang];
  const editor = new LineEditor();
  const area = new InputArea(output);
  const ctx: RenderContext = { lang, ownName: run.name ?? null, color: run.color, clock: localClock };
  const ansi = { ansi: true, color: run.color };
  let mode: 'name' | 'chat' | 'password' = 'chat';
  let online = false;
  let queuedNoticeShown = false;
  let foreign = false; // a plain-text server that is not papo (not --plain)
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));

  const print = (lines: RenderedLine[]) => {
    syncStatus();
    const cols = output.columns || 80;
    area.printAbove(lines.flatMap((r) => wrapStyled(r.line, cols, r.indent).map((row) => toAnsi(row, ansi))));
  };
  const notice = (text: string) => print([renderNotice(ctx, text, Date.now())]);
  const error = (text: string) => print([renderError(ctx, text, Date.now())]);

  const promptParts = (): { text: string; ansi: string } => {
    if (mode === 'name') return { text: t.namePrompt, ansi: `\x1b[1m${t.namePrompt}` };
    if (mode === 'password') {
      const p = TEXTS[lang].passwordPrompt;
      return { text: p, ansi: `\x1b[1m${p}` };
    }
    const name = ctx.ownName ?? '';
    const mark = online ? '' : '⋯ ';
    const text = `${mark}${name}> `;
    const color = run.color ? `;${nameColor(name)}` : '';
    return { text, ansi: `\x1b[2m${mark}\x1b[0m\x1b[1${color}m${name}\x1b[0m> ` };
  };
  // The connection's state while it is down, in the status row above the input: a reconnect
  // countdown replaces itself instead of adding a line per attempt (issue #17).
  let connectionStatus: string | null = null;
  // Otherwise the rooms, once the server has rooms: `[#geral] #rust(3) #ops(1)` (#12).
  // Transfers under way (issue #14) go first in the status row, redrawn in place a few times a
  // second, so a progress bar never scrolls the chat nor touches the input line.
  let transferStatus = '';
  const statusParts = (): { text: string; ansi: string } => {
    if (connectionStatus !== null) return { text: connectionStatus, ansi: `\x1b[2m${connectionStatus}` };
    const rooms = roomsStatusParts(session.rooms, run.color);
    if (transferStatus === '') return rooms;
    const sep = rooms.text === '' ? '' : ' · ';
    return {
      text: `${transferStatus}${sep}${rooms.text}`,
      ansi: `\x1b[1m${transferStatus}\x1b[0m${sep}${rooms.ansi}`,
    };
  };
  const syncStatus = () => {
    const status = statusParts();
    area.setStatus(status.text, status.ansi);
  };
  const refresh = () => {
    syncStatus();
    const p = promptParts();
    // A password is read without echo, as ssh and sudo do.
    if (mode === 'password') area.update(p.text, p.ansi, '', '');
    else area.update(p.text, p.ansi, editor.text, editor.beforeCursor);
  };

  const session = new ChatSession(sessionOptions(run), (e) => onSessionEvent(e));
  const transfers = new Transfers({
    lang,
    offerFile: (request) => session.offerFile(request),
    lookUpFile: (id) => session.lookUpFile(id),
    downloadDir: () => defaultDownloadDir(),
    progress: (active: Progress[]) => {
      const now = Date.now();
      transferStatus = active.map((p) => progressText(p, now)).join(' · ');
      refresh();
    },
    done: (text) => notice(text),
    info: (text) => notice(text),
    failed: (text) => error(text),
  });
  const fileLine = (m: FileMessage): RenderedLine => {
    const text = fileOfferText(m, lang, ctx.ownName, session.rooms.current);
    return {
      line: [
        { text: `${localClock(m.ts)} `, style: { dim: true } },
        { text, style: { bold: true } },
      ],
      indent: 6,
    };
  };

  function onSessionEvent(e: SessionEvent): void {
    const now = Date.now();
    ctx.currentRoom = session.rooms.current;
    switch (e.type) {
      case 'connecting':
        if (e.attempt === 0) notice(t.connecting(run.address));
        return;
      case 'connected':
        if (e.protocol === 'plain') {
          online = true;
          connectionStatus = null;
          foreign = e.why === 'greeting';
          notice(t.plainMode(e.why));
          refresh();
        }
        return;
      case 'server':
        if (e.message.type === 'welcome') return;
        // A private message or a mention of your name rings the terminal bell, as irssi does.
        if (isForMe(e.message)) output.write('\x07');
        return print(renderServerMessage(ctx, e.message, now));
      case 'plain':
        return print([renderPlainLine(ctx, e.line, now)]);
      case 'password-needed':
        notice(e.register ? t.choosePassword(e.name) : t.passwordFor(e.name));
        mode = 'password';
        online = true;
        return refresh();
      case 'file':
        transfers.seen(e.message);
        if (e.message.to !== undefined && e.message.from !== ctx.ownName) output.write('\x07');
        return print([fileLine(e.message)]);
      case 'name-needed':
        if (e.problem) error(e.problem);
        mode = 'name';
        online = true;
        return refresh();
      case 'joined': {
        mode = 'chat';
        online = true;
        connectionStatus = null;
        // --room: the first time in, that room too (after a reconnect the session rejoins it).
        if (!e.again && run.room !== undefined) session.send({ type: 'join_room', room: run.room });
        ctx.ownName = e.name;
        const server = TEXTS[lang];
        const bare = (l: string) => l.replace(/^\*\*\* /, '');
        const lines = e.again
          ? // Back after a lost connection: who is online may have changed unless resumed.
            [t.reconnected, ...(e.resumed ? [] : [bare(server.online(e.users))])]
          : [
              ...server.welcome(e.name, e.users, e.resumed).slice(0, 2).map(bare),
              `/help · ${bare(server.helpFooter)}`,
            ];
        print(lines.map((l) => renderNotice(ctx, l, now)));
        return refresh();
      }
      case 'acked': {
        if (e.request.type === 'nick') {
          const old = ctx.ownName ?? '';
          ctx.ownName = session.name;
          notice(TEXTS[lang].renamed(old, ctx.ownName ?? '').replace(/^\*\*\* /, ''));
        }
        const own = renderOwn(ctx, e.request, e.ts);
        if (own) print([own]);
        return refresh();
      }
      case 'refused':
        return error(e.message);
      case 'lost':
        online = false;
        connectionStatus = t.lost;
        queuedNoticeShown = false;
        error(t.lost);
        return refresh();
      case 'retrying':
        connectionStatus = t.retrying(e.delayMs / 1000, e.attempt);
        return refresh();
      case 'reclaiming':
        return notice(t.reclaiming(e.name));
      case 'failed':
        return finish(1, failureText(t, run.address, e.failure));
      case 'closed':
        notice(t.bye);
        return finish(0);
    }
  }

  function finish(code: number, message?: string): void {
    area.clear();
    input.off('keypress', onKeypress);
    output.off('resize', onResize);
    input.off('end', onInputEnd);
    process.off('SIGCONT', onContinue);
    process.off('SIGTSTP', onStopSignal);
    if (input.isTTY) input.setRawMode(false);
    input.pause();
    if (message) process.stderr.write(`papo: ${message}\n`);
    resolveExit(code);
  }

  function isForMe(m: ServerMessage): boolean {
    if (m.type === 'private') return true;
    if (m.type !== 'message' && m.type !== 'action') return false;
    return !m.history && highlightMentions([{ text: m.text }], ctx.ownName).hit;
  }

  function complete(word: string, atLineStart: boolean): string[] {
    if (word.startsWith('/') && atLineStart) {
      return commandWords()
        .filter((c) => c.startsWith(word.toLowerCase()))
        .map((c) => `${c} `);
    }
    if (word.startsWith(':') && word.length >= 3) {
      return shortcodesStartingWith(word.slice(1)).map((n) => `:${n}: `);
    }
    const key = nameKey(word.replace(/^@/, ''));
    const afterMsg = /^\/msg\s+\S*$/i.test(editor.beforeCursor);
    const names = session.users.filter((u) => u !== ctx.ownName && nameKey(u).startsWith(key));
    return names.map((n) => (atLineStart && !afterMsg ? `${n}: ` : `${n} `));
  }

  function submit(): void {
    if (mode === 'password') {
      mode = 'chat';
      session.authPassword(editor.submitSecret());
      return refresh();
    }
    const line = editor.submit();
    if (mode === 'name') return submitName(line);
    if (session.protocol === 'plain') {
      // `/quit` is the client's own way out; `sair` is the original protocol's, so it is sent.
      const word = line.trim().toLowerCase();
      if (word === '/quit') return void session.quit();
      // papo's commands mean nothing to another server, which would show them to everyone.
      const command = foreign ? papoCommandOf(line) : null;
      if (command !== null) {
        error(t.notPapoCommand(command));
        return refresh();
      }
      if (parseFileCommand(line) !== null) {
        editor.set(line);
        error(FILE_TEXTS[lang].notPapo); // files need a papo server (#14)
        return refresh();
      }
      session.sendPlain(convertShortcodes(line));
      if (line.trim() !== '') print([{ line: [{ text: `> ${line}`, style: { dim: true } }], indent: 2 }]);
      if (word === 'sair') void session.quit();
      return refresh();
    }
    const file = parseFileCommand(line);
    if (file !== null) {
      transfers.run(file);
      return refresh();
    }
    const parsed = parseInput(line, lang, session.rooms.current);
    switch (parsed.kind) {
      case 'none':
        return refresh();
      case 'help':
        print(helpLines(lang).map(renderInfo));
        return refresh();
      case 'quit':
        void session.quit();
        return;
      case 'switch':
        if (!session.rooms.switchTo(parsed.room)) {
          editor.set(line);
          error(t.notInRoom(sanitizeText(parsed.room)));
        }
        return refresh();
      case 'error':
        // Give the line back, so a long message or a mistyped command can be fixed, not retyped.
        editor.set(line);
        error(parsed.message);
        return refresh();
      case 'request':
        if (!online && !queuedNoticeShown) {
          queuedNoticeShown = true;
          notice(t.queued);
        }
        session.send(parsed.request);
        return refresh();
    }
  }

  function submitName(line: string): void {
    const name = line.trim();
    if (name === '') return refresh();
    if (name.toLowerCase() === 'sair' || name.toLowerCase() === '/quit') {
      void session.quit();
      return;
    }
    const check = checkName(name);
    if (!check.ok) {
      error(TEXTS[lang].error('NAME_INVALID', { kind: 'name', problem: check.problem }));
      return refresh();
    }
    ctx.ownName = check.name;
    mode = 'chat';
    session.join(check.name);
    refresh();
  }

  function onKeypress(str: string | undefined, key: Key | undefined): void {
    switch (applyKey(editor, str, key)) {
      case 'submit':
        return submit();
      case 'interrupt':
        // Ctrl-C clears a line being written, and leaves on an empty one.
        if (editor.text === '') return void session.quit();
        editor.set('');
        return refresh();
      case 'eof':
        return void session.quit();
      case 'complete': {
        const options = editor.complete(complete);
        if (options.length > 1) print([renderInfo(options.map((o) => o.trim()).join('  '))]);
        return refresh();
      }
      case 'suspend':
        return stop(true);
      case 'switch-room': {
        const room = session.rooms.nth(roomNumber(key) ?? 0);
        if (room !== undefined) session.rooms.switchTo(room);
        return refresh();
      }
      case 'clear-screen':
        area.clear();
        output.write('\x1b[H\x1b[2J');
        return refresh();
      case 'edited':
        return refresh();
      case 'ignored':
        return;
    }
  }

  // Ctrl-Z stops the client as in a shell (raw mode turns the terminal's own handling off);
  // `fg` brings it back with the input line as it was. The stop goes to the whole process
  // group, as the terminal's Ctrl-Z would: under `npx papo client` npm's process stops too and
  // the shell gets its prompt back (stopping only this process left the terminal hanging).
  // A SIGTSTP from elsewhere (`kill -TSTP`) stops this process alone, the terminal restored
  // first. Without job control (an orphaned process group) the kernel drops the signal and
  // the client simply carries on.
  function stop(group: boolean): void {
    stopAsked = false;
    area.clear();
    if (input.isTTY) input.setRawMode(false);
    // With no listener the signal takes its default action: the process stops inside kill()
    // and goes on from here once continued.
    process.off('SIGTSTP', onStopSignal);
    try {
      process.kill(group ? 0 : process.pid, 'SIGTSTP');
    } finally {
      process.on('SIGTSTP', onStopSignal);
    }
    onContinue();
  }

  // Node runs signal listeners later, in order: a SIGCONT that came right behind the SIGTSTP
  // cancels it, rather than leaving the client stopped with nobody to continue it.
  let stopAsked = false;
  const onStopSignal = () => {
    stopAsked = true;
    setImmediate(() => stopAsked && stop(false));
  };
  const onResize = () => area.redraw();
  const onContinue = () => {
    stopAsked = false;
    if (input.isTTY) input.setRawMode(true);
    refresh();
  };
  const onInputEnd = () => void session.quit();

  emitKeypressEvents(input);
  if (input.isTTY) input.setRawMode(true);
  input.on('keypress', onKeypress);
  output.on('resize', onResize);
  process.on('SIGCONT', onContinue);
  process.on('SIGTSTP', onStopSignal);
  // The terminal went away (hang-up): leave as with Ctrl-D.
  input.once('end', onInputEnd);
  input.resume();
  refresh();
  session.start();
  return exited;
}
