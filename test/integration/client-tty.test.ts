import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import stringWidth from 'string-width';
import { LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { PtyClient, stateOf } from './client-pty.js';
import { VirtualScreen } from './client-vt.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

async function chat(t: { after(fn: () => unknown): void }) {
  const srv = await startServer();
  const clients: LineClient[] = [];
  const ptys: PtyClient[] = [];
  t.after(async () => {
    for (const p of ptys) p.child.kill('SIGKILL');
    for (const c of clients) c.destroy();
    await srv.stop();
  });
  return {
    address: `127.0.0.1:${srv.port}`,
    join: async (name: string) => {
      const c = await LineClient.join(srv.port, name);
      clients.push(c);
      return c;
    },
    pty: (args: string[], cols = 80, rows = 24) => {
      const p = PtyClient.start([`127.0.0.1:${srv.port}`, ...args], cols, rows);
      ptys.push(p);
      return p;
    },
  };
}

describe('papo client in a pseudo-terminal', () => {
  it('typed input survives a burst of incoming messages in a real terminal', async (t) => {
    const { join, pty } = await chat(t);
    const bob = await join('bob');
    const ana = pty(['--name', 'ana']);
    await ana.waitFor('Welcome, ana!');
    await ana.waitFor('ana> ');
    ana.type('hello wor');
    await ana.waitFor('ana> hello wor');

    for (let i = 0; i < 40; i++) bob.sendLine(`burst ${i} ${'😄'.repeat(i % 3)} 日本語`);
    const last = await ana.waitFor('bob: burst 39');
    // Every message shown, in order, each on its own line above the input.
    let at = 0;
    for (let i = 0; i < 40; i++) at = await ana.waitFor(`bob: burst ${i} `, at);
    // After the last one the prompt and the partial input are drawn again, cursor after it.
    await ana.waitFor('ana> hello wor', last);
    const rawTail = ana.raw.slice(ana.raw.lastIndexOf('burst 39'));
    assert.ok(rawTail.includes('\r\x1b[14C'), JSON.stringify(rawTail));

    // On the screen: the last message, the rooms' status row, then the input line with the
    // cursor after "hello wor".
    const screen = new VirtualScreen(80, 24);
    screen.feed(ana.raw);
    const lines = screen.lines();
    assert.equal(lines[screen.row], 'ana> hello wor');
    assert.equal(screen.col, 'ana> hello wor'.length);
    assert.equal(lines[screen.row - 1], '[#geral]');
    assert.match(lines[screen.row - 2] ?? '', /^\d\d:\d\d bob: burst 39 +日本語$/);

    ana.type('ld\r');
    assert.equal(await bob.lineMatching(/^ana: /), 'ana: hello world');
    await ana.waitFor(/\d\d:\d\d ana: hello world/);

    ana.type('/quit\r');
    assert.equal(await ana.exitCode(), 0);
    assert.equal(await bob.nextLine(), '*** ana left the chat.');
  });

  it('completes commands and names with Tab and recalls lines with the up arrow', async (t) => {
    const { join, pty } = await chat(t);
    const bob = await join('bob');
    const ana = pty(['--name', 'ana']);
    await ana.waitFor('Welcome, ana!');
    ana.type('/ms\tbo\tpsst :smile:\r');
    assert.equal(await bob.lineMatching(/^\[private\]/), '[private] ana: psst 😄');
    await ana.waitFor('[private to bob] psst 😄');
    ana.type('\x1b[A');
    await ana.waitFor('ana> /msg bob psst :smile:');
    ana.type('\x15oi *todos*\r'); // Ctrl-U clears the recalled line
    assert.equal(await bob.lineMatching(/^ana: /), 'ana: oi *todos*');
    ana.type('\x04'); // Ctrl-D on an empty line leaves
    assert.equal(await ana.exitCode(), 0);
  });

  it('asks for a name, explains a taken one and asks again, in Portuguese and without colour', async (t) => {
    const { join, pty } = await chat(t);
    await join('bob');
    const c = pty(['--lang', 'pt', '--no-color']);
    await c.waitFor('Seu nome: ');
    c.type('Bob\r');
    const taken = await c.waitFor('O nome bob já está em uso');
    await c.waitFor('Seu nome: ', taken);
    c.type('carla\r');
    await c.waitFor('Bem-vindo, carla!');
    c.type('sair\r');
    assert.equal(await c.exitCode(), 0);
    // Bold and dim stay, colours (SGR 30–37, 90–97) never appear.
    assert.ok(!/\x1b\[[0-9;]*;?(3[0-7]|9[0-7])m/.test(c.raw), JSON.stringify(c.raw.slice(0, 400)));
    assert.ok(c.raw.includes('\x1b[1m'));
  });

  it('wraps wide characters in a narrow terminal as the terminal does, through a burst', async (t) => {
    const { join, pty } = await chat(t);
    const bob = await join('bob');
    const cols = 24;
    const ana = pty(['--name', 'ana'], cols, 12);
    await ana.waitFor('Welcome, ana!');
    const typed = 'ação 日本語 😄 café ñ 中文字符 👍🏽 ok';
    ana.type(typed);
    await ana.waitFor('ok');
    ana.type('\x1b[D\x1b[D'); // cursor two places left, before "ok"
    // Keys and the socket are two inputs to the client: the burst must not overtake the arrows.
    await ana.until(() => {
      const s = new VirtualScreen(cols, 12);
      s.feed(ana.raw);
      return s.col === stringWidth(s.lines()[s.row] ?? '') - 2;
    }, 'the cursor before "ok"');
    for (let i = 0; i < 15; i++) bob.sendLine(`wide ${i} 日本語😄 ${'x'.repeat(i)}`);
    const last = await ana.waitFor('wide 14');
    await ana.waitFor('ok', last);

    const screen = new VirtualScreen(cols, 12);
    screen.feed(ana.raw);
    const lines = screen.lines();
    // The input block is the last rows; together they read prompt + input, and nothing of the
    // input is left anywhere above them.
    const bottom = lines.slice(0, lines.findLastIndex((l) => l !== '') + 1);
    const start = bottom.findLastIndex((l) => l.startsWith('ana> '));
    assert.equal(bottom.slice(start).join(''), `ana> ${typed}`);
    assert.ok(!bottom.slice(0, start).some((l) => l.includes('ação') || l.includes('👍🏽')), bottom.join('\n'));
    // The cursor stands before "ok".
    assert.ok((lines[screen.row] ?? '').endsWith('ok'));
    assert.equal(screen.col, stringWidth(lines[screen.row] ?? '') - 2);

    ana.type('\r');
    assert.equal(await bob.lineMatching(/^ana: /), `ana: ${typed}`);
    ana.type('/quit\r');
    assert.equal(await ana.exitCode(), 0);
  });

  it('reconnects after the server restarts, keeping what was being typed', async (t) => {
    let srv = await startServer();
    const port = srv.port;
    t.after(() => srv.stop());
    const ana = PtyClient.start([`127.0.0.1:${port}`, '--name', 'ana'], 60, 14);
    t.after(() => ana.child.kill('SIGKILL'));
    await ana.waitFor('Welcome, ana!');
    ana.type('half typed');
    await ana.waitFor('ana> half typed');
    await srv.stop();
    const lost = await ana.waitFor('Connection lost.');
    await ana.waitFor(/Reconnecting in \d+\.\d s \(attempt 1\)/, lost);
    await ana.waitFor(/Reconnecting in \d+\.\d s \(attempt 2\)/, lost);
    srv = await startServer({ port });
    const back = await ana.waitFor('Connected again.', lost);
    await ana.waitFor('ana> half typed', back);
    // The attempts were one status row above the input, rewritten in place and gone once
    // connected: none of them is left in the chat.
    const screen = new VirtualScreen(60, 14);
    screen.feed(ana.raw);
    assert.ok(!screen.lines().some((l) => l.includes('Reconnecting')), screen.lines().join('\n'));
    assert.equal(screen.lines().filter((l) => l.includes('Connection lost.')).length, 1);
    const bob = await LineClient.join(port, 'bob');
    t.after(() => bob.destroy());
    ana.type(' line\r');
    assert.equal(await bob.lineMatching(/^ana: /), 'ana: half typed line');
  });

  it('Ctrl-Z under a wrapper process (as npx runs it) stops both, and fg brings the chat back', async (t) => {
    const srv = await startServer();
    t.after(() => srv.stop());
    const bob = await LineClient.join(srv.port, 'bob');
    t.after(() => bob.destroy());
    // An interactive bash in the pseudo-terminal: job control, as in a user's shell. The
    // wrapper waits for its child like `npm exec`, and prints the child's pid.
    const shell = PtyClient.startCommand(['bash', '--norc', '--noprofile', '-i'], 80, 24);
    t.after(() => shell.child.kill('SIGKILL'));
    const wrapper =
      "const c=require('child_process').spawn(process.execPath,process.argv.slice(1),{stdio:'inherit'});" +
      "console.error('child '+c.pid);c.on('exit',(code)=>process.exit(code??1))";
    const client = [CLI, 'client', `127.0.0.1:${srv.port}`, '--name', 'ana'].join(' ');
    shell.type(`PS1='$ ' NO_COLOR= ${process.execPath} -e "${wrapper}" ${client}\r`);
    await shell.waitFor('Welcome, ana!');
    shell.type('half typed');
    const typed = await shell.waitFor('ana> half typed');
    shell.type('\x1a'); // Ctrl-Z
    // The shell has its prompt back: the whole job stopped, wrapper included.
    const stopped = await shell.waitFor(/Stopped/, typed);
    shell.type('fg\r');
    await shell.waitFor('ana> half typed', stopped);
    shell.type(' line\r');
    assert.equal(await bob.lineMatching(/^ana: /), 'ana: half typed line');

    // A SIGTSTP from elsewhere restores the terminal and stops the client; SIGCONT redraws.
    await shell.waitFor('ana: half typed line');
    const pid = Number(/child (\d+)/.exec(shell.text)?.[1]);
    process.kill(pid, 'SIGTSTP');
    await stateOf(pid, 'T'); // stopped (Linux's /proc, as the pseudo-terminal is python's pty)
    const before = shell.raw.length;
    process.kill(pid, 'SIGCONT');
    await shell.waitForRaw('ana\x1b[0m> ', before); // drawn again
    shell.type('/quit\r');
    await shell.waitForRaw('Goodbye!', before);
  });

  it('chats in plain text with a server that is not papo', async (t) => {
    // A bare line chat, like the original Python server: a prompt, then every line to everyone.
    const sockets: Socket[] = [];
    const server = createServer((sock) => {
      sockets.push(sock);
      sock.setEncoding('utf8');
      sock.write('Nome: ');
      let name = '';
      let buf = '';
      sock.on('data', (d: string) => {
        buf += d;
        for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (name === '') name = line;
          else for (const other of sockets) if (other !== sock) other.write(`${name}: ${line}\n`);
        }
      });
      sock.on('error', () => {});
      sock.on('end', () => sock.end());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => {
      for (const sock of sockets) sock.destroy();
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    const bob = await LineClient.connect(port);
    t.after(() => bob.destroy());
    await bob.prompt();
    bob.sendLine('bob');

    const ana = PtyClient.start([`127.0.0.1:${port}`, '--name', 'ana'], 60, 14);
    t.after(() => ana.child.kill('SIGKILL'));
    await ana.waitFor('This is not a papo server');
    ana.type('/who\r');
    await ana.waitFor('not a papo server: /who is not available');
    ana.type('oi :wave:\r');
    // /who never reached the server: the first line bob gets is the message.
    assert.equal(await bob.nextLine(), 'ana: oi 👋');
    bob.sendLine('tudo bem, *ana*?');
    await ana.waitFor(/\d\d:\d\d bob: tudo bem, ana\?/);
    ana.type('/quit\r');
    assert.equal(await ana.exitCode(), 0);
  });
});
