import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveChat } from '../helpers/server.js';

test('sends a name prompt before the client says anything', async (t) => {
  const { connect } = await serveChat(t);
  const c = await connect();
  assert.equal(await c.prompt(), 'Your name: ');
});

test('explains an invalid or taken name and prompts again on the same connection', async (t) => {
  const { connect, join } = await serveChat(t);
  await join('ana');
  const c = await connect();
  await c.prompt();
  c.sendLine('ana bob');
  assert.match(await c.nextLine(), /^!! Name not accepted: the character U\+0020 is not allowed/);
  await c.prompt();
  c.sendLine('ANA');
  assert.equal(await c.nextLine(), '!! The name ana is taken (names ignore letter case); choose another.');
  await c.prompt();
  c.sendLine('x'.repeat(33));
  assert.match(await c.nextLine(), /it has 33 characters, the limit is 32/);
  await c.prompt();
  c.sendLine('ana\u200b');
  assert.match(await c.nextLine(), /U\+200B is not allowed/);
  await c.prompt();
  c.sendLine('João');
  assert.equal(await c.nextLine(), '*** Welcome, João!');
  assert.equal(await c.nextLine(), '*** Online now (2): ana, João');
});

test('welcomes with who is online and tells the others who joined', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  await join('bob');
  assert.equal(await ana.nextLine(), '*** bob joined the chat.');
});

test('relays each line as "name: text" to every other user, no echo, blank lines ignored', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  const carol = await join('carol');
  await ana.lineMatching('*** carol joined the chat.');
  await bob.lineMatching('*** carol joined the chat.');
  ana.send('\n   \r\nolá, pessoal 😄\r\n');
  assert.equal(await bob.nextLine(), 'ana: olá, pessoal 😄');
  assert.equal(await carol.nextLine(), 'ana: olá, pessoal 😄');
  ana.sendLine('/ping');
  assert.equal(await ana.nextLine(), '*** pong', 'the sender got nothing before its pong');
  assert.deepEqual(bob.pending(), []);
});

test('refuses a message over 1024 bytes with the limit and stays usable', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  ana.sendLine('a'.repeat(1025));
  assert.equal(
    await ana.nextLine(),
    '!! Message not sent: 1025 bytes, the limit is 1024 bytes (UTF-8). Split it into shorter lines.',
  );
  ana.sendLine('ç'.repeat(5000));
  assert.match(await ana.nextLine(), /^!! Message not sent: 10000 bytes, the limit is 1024/);
  ana.sendLine('b'.repeat(1024));
  assert.equal(await bob.nextLine(), `ana: ${'b'.repeat(1024)}`);
});

test('10 MB without a newline is counted, not buffered, and others are still served', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  const before = process.memoryUsage().rss;
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  for (let i = 0; i < 10; i++) ana.socket.write(chunk);
  bob.sendLine('still here');
  assert.equal(await ana.nextLine(), 'bob: still here');
  ana.send('\n');
  assert.match(
    await ana.lineMatching(/^!! /, 15_000),
    /^!! Message not sent: 10485760 bytes, the limit is 1024/,
  );
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stayed bounded');
});

for (const word of ['sair', 'SAIR', '  Sair  ', '/quit']) {
  test(`"${word}" says goodbye, closes, and tells the others`, async (t) => {
    const { join } = await serveChat(t);
    const ana = await join('ana');
    const bob = await join('bob');
    await ana.lineMatching('*** bob joined the chat.');
    bob.sendLine(word);
    assert.equal(await bob.nextLine(), '*** Goodbye!');
    await bob.closedByServer();
    assert.equal(await ana.nextLine(), '*** bob left the chat.');
  });
}

test('an abrupt close or reset gives the others a leave notice', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  const carol = await join('carol');
  await ana.lineMatching('*** carol joined the chat.');
  bob.socket.end();
  assert.equal(await ana.nextLine(), '*** bob left the chat (connection lost).');
  carol.socket.resetAndDestroy();
  assert.equal(await ana.nextLine(), '*** carol left the chat (connection lost).');
});

test('/who, /me, /nick, /help, //text and unknown commands', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  ana.sendLine('/who');
  assert.equal(await ana.nextLine(), '*** Online now (2): ana, bob');
  ana.sendLine('/me waves');
  assert.equal(await bob.nextLine(), '* ana waves');
  ana.sendLine('//shrug');
  assert.equal(await bob.nextLine(), 'ana: /shrug');
  ana.sendLine('/dance now');
  assert.match(await ana.nextLine(), /^!! Unknown command \/dance\. Type \/help/);
  ana.sendLine('/msg');
  assert.equal(await ana.nextLine(), '!! Usage: /msg NAME text');
  ana.sendLine('/nick bia');
  assert.equal(await bob.nextLine(), '*** ana is now known as bia.');
  // The renamed user is told too (issue #17).
  assert.equal(await ana.nextLine(), '*** ana is now known as bia.');
  bob.sendLine('/help');
  assert.equal(await bob.nextLine(), '*** Commands:');
  const help = [];
  for (let l = await bob.nextLine(); !l.startsWith('*** Any other line'); l = await bob.nextLine())
    help.push(l);
  assert.ok(help.some((l) => l.includes('/msg NAME text')));
  assert.deepEqual(ana.pending(), []);
});

test('a private message reaches only its recipient, marked as private', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  const carol = await join('carol');
  await ana.lineMatching('*** carol joined the chat.');
  await bob.lineMatching('*** carol joined the chat.');
  ana.sendLine('/msg BOB only you');
  assert.equal(await bob.nextLine(), '[private] ana: only you');
  assert.equal(await ana.nextLine(), '[private to bob] only you');
  ana.sendLine('/msg nobody hi');
  assert.equal(await ana.nextLine(), '!! No user named nobody is online. /who lists who is.');
  carol.sendLine('/ping');
  assert.equal(await carol.nextLine(), '*** pong', 'carol saw nothing private');
});

test('bytes split inside a character arrive whole; invalid UTF-8 becomes U+FFFD', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  const bytes = Buffer.from('ação 😄\n');
  for (const b of bytes) ana.socket.write(Buffer.from([b]));
  assert.equal(await bob.nextLine(), 'ana: ação 😄');
  ana.socket.write(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]));
  assert.equal(await bob.nextLine(), 'ana: a\uFFFD\uFFFDb');
});

test('no terminal control sequence reaches another user', async (t) => {
  const { join, connect } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  ana.sendLine('red\x1b[31m bell\x07 tab\there c1\u009b2J\rover');
  assert.equal(await bob.nextLine(), 'ana: red\uFFFD[31m bell\uFFFD tab here c1\uFFFD2J\uFFFDover');
  const evil = await connect();
  await evil.prompt();
  evil.sendLine('\x1b[2Jevil');
  assert.match(await evil.nextLine(), /U\+001B is not allowed/);
});

test('texts in Brazilian Portuguese with --lang pt', async (t) => {
  const { join, connect } = await serveChat(t, { lang: 'pt' });
  const c = await connect();
  assert.equal(await c.prompt(), 'Digite seu nome: ');
  c.sendLine('ana');
  assert.equal(await c.nextLine(), '*** Bem-vindo, ana!');
  await c.lineMatching(/^\*\*\* Digite uma mensagem/);
  await join('bob');
  assert.equal(await c.nextLine(), '*** bob entrou no chat!');
  c.sendLine('a'.repeat(2000));
  assert.match(await c.nextLine(), /^!! Mensagem não enviada: 2000 bytes, o limite é 1024 bytes/);
});
