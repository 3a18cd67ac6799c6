import { MAX_MESSAGE_BYTES, sanitizeText } from '../../core/text.js';
import type { DecodedLine } from '../../protocol/line-decoder.js';
import { helpLines, isSair, parsePlainLine } from '../../protocol/plain-commands.js';
import { TEXTS } from '../../protocol/texts.js';
import type { Codec, CodecHost } from './codec.js';

/** Longest plain line measured exactly; longer ones are counted while being dropped. */
export const MAX_PLAIN_LINE_BYTES = 8 * 1024;
/** Most characters of an unknown command word echoed back. */
const MAX_ECHOED_COMMAND_CHARS = 32;

/** The plain-text protocol of `nc` and `telnet` users: a name prompt, then lines and slash commands. */
export const PLAIN: Codec = {
  format: 'plain',
  onLine(host: CodecHost, line: DecodedLine): void {
    const joined = host.session.name !== null;
    if (line.kind === 'too_long') {
      if (joined) {
        return host.sendError('MESSAGE_TOO_LONG', {
          kind: 'size',
          bytes: line.bytes,
          limit: MAX_MESSAGE_BYTES,
        });
      }
      host.sendError('LINE_TOO_LONG', { kind: 'size', bytes: line.bytes, limit: MAX_PLAIN_LINE_BYTES });
      return host.writeRaw(TEXTS[host.lang].prompt);
    }
    if (!joined) return onName(host, line.text);
    const input = parsePlainLine(line.text, host.session.currentRoom ?? undefined);
    switch (input.kind) {
      case 'ignore':
        return;
      case 'action':
        return host.act(input.action);
      case 'help': {
        const t = TEXTS[host.lang];
        return host.writeRaw([t.helpHeader, ...helpLines(host.lang), t.helpFooter].join('\n') + '\n');
      }
      case 'unknown': {
        // Echoed input goes through the sanitiser: no escape sequence comes back (PROTOCOL.md, "Sanitising").
        const command = sanitizeText(input.command.slice(0, MAX_ECHOED_COMMAND_CHARS));
        return host.sendError('UNKNOWN_COMMAND', { kind: 'command', command });
      }
      case 'usage':
        return host.sendError('USAGE', { kind: 'usage', command: input.usage });
    }
  },
};

function onName(host: CodecHost, text: string): void {
  const requested = text.trim();
  if (host.awaitsPassword()) {
    // The answer may take a while (hashing): its error, if any, is followed by the name prompt.
    host.awaitingLogin = true;
    return host.act({ type: 'auth', password: requested });
  }
  if (isSair(requested) || requested.toLowerCase() === '/quit') return host.act({ type: 'quit' });
  host.act({ type: 'join', name: requested });
  if (host.session.name !== null || host.closing) return;
  const t = TEXTS[host.lang];
  host.writeRaw(host.awaitsPassword() ? t.passwordPrompt : t.prompt);
}
