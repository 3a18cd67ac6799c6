import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prettyLine } from '../../src/server/log.js';

const at = new Date(2026, 10, 25, 18, 4, 5, 67).getTime(); // local time

describe('pretty log lines', () => {
  it('shows local time, level, message and the other fields as key=value', () => {
    const record = {
      level: 30,
      time: at,
      name: 'papo',
      pid: 7,
      hostname: 'h',
      host: '127.0.0.1',
      port: 65432,
      msg: 'listening',
    };
    assert.equal(
      prettyLine(JSON.stringify(record)),
      '18:04:05.067 INFO  listening host=127.0.0.1 port=65432\n',
    );
  });

  it('quotes values with spaces, shows objects as JSON and an error by its message and stack', () => {
    const record = {
      level: 50,
      time: at,
      msg: 'TLS certificate reload failed',
      err: { type: 'Error', message: 'no such file', stack: 'Error: no such file\n    at read' },
      why: 'a b',
      rooms: ['#geral'],
    };
    assert.equal(
      prettyLine(JSON.stringify(record)),
      '18:04:05.067 ERROR TLS certificate reload failed err="no such file" why="a b" rooms=["#geral"]\n' +
        '    Error: no such file\n        at read\n',
    );
  });

  it('passes a line that is not JSON through', () => {
    assert.equal(prettyLine('not json'), 'not json\n');
  });
});
