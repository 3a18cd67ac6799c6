// node-floor: the least a Node.js chat server can do per session, for comparison with papo.
//
//   node bench/peers/node-floor.mjs PORT
//
// It speaks the plain protocol of ../shared/bench (a prompt, the name line, `name: text` to the
// others, `sair` closes) with Node's public `net` module and nothing else: no validation, no
// flood control, no output batching, no limits. Never run it for people; it exists to show what
// Node's sockets cost on a machine, so papo's churn figure can be read against Node's own floor.
import { createServer } from 'node:net';
import process from 'node:process';

const port = Number(process.argv[2]);
const clients = new Set();

function broadcast(from, line) {
  for (const c of clients) if (c !== from && c.writable) c.write(line);
}

createServer({ noDelay: true }, (socket) => {
  let name = null;
  let pending = '';
  socket.setEncoding('utf8');
  socket.write('name? ');
  socket.on('data', (chunk) => {
    pending += chunk;
    let end;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end).replace(/\r$/, '');
      pending = pending.slice(end + 1);
      if (name === null) {
        name = line;
        clients.add(socket);
        broadcast(socket, `* ${name} joined\n`);
      } else if (line === 'sair') {
        socket.end();
        return;
      } else broadcast(socket, `${name}: ${line}\n`);
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    if (clients.delete(socket)) broadcast(socket, `* ${name} left\n`);
  });
}).listen(port, '127.0.0.1');
