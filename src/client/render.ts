import { nameKey } from '../core/names.js';
import { sanitizeText } from '../core/text.js';
import type { ServerMessage } from '../protocol/json-messages.js';
import type { Lang } from '../protocol/texts.js';
import { formatMarkup } from './format.js';
import type { ChatRequest } from './input.js';
import { displayWidth, type Segment, type Style, type StyledLine } from './styled.js';
import { roomKey, type RoomSignal } from './rooms.js';
import { plainServerLines } from './plain-render.js';
import { CLIENT_TEXTS } from './texts.js';

/** What rendering depends on besides the event. */
export interface RenderContext {
  lang: Lang;
  /** The user's own name, for highlighting mentions; null before joining. */
  ownName: string | null;
  /** Colours on (false under NO_COLOR / --no-color: bold, italic and the rest stay). */
  color: boolean;
  /** Formats a time in ms as the local `HH:MM` (injected so tests do not depend on the zone). */
  clock: (ts: number) => string;
  /** The room typed lines go to: what is said in the others is marked `[#room]` (#12). */
  currentRoom?: string | null;
}

/** A rendered line and the column its wrapped continuation rows are indented to. */
export interface RenderedLine {
  line: StyledLine;
  indent: number;
}

// Twelve of the 16 ANSI colours every terminal has; black, white and greys are left out so
// every name stays readable on dark and light backgrounds.
const NAME_COLORS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96] as const;

/** The same name (in any letter case) always gets the same colour, on every machine. */
export function nameColor(name: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (const ch of nameKey(name)) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return NAME_COLORS[h % NAME_COLORS.length] as number;
}

/** Local `HH:MM`. */
export function localClock(ts: number): string {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

const DIM: Style = { dim: true };
const ERROR: Style = { bold: true, fg: 31 };
const PRIVATE: Style = { bold: true, fg: 35 };
const MENTION: Style = { bold: true, inverse: true };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Marks each whole-word occurrence of `name` (any letter case) in the segments. */
export function highlightMentions(
  segments: Segment[],
  name: string | null,
): { segments: Segment[]; hit: boolean } {
  if (!name) return { segments, hit: false };
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])@?${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, 'giu');
  let hit = false;
  const out: Segment[] = [];
  for (const seg of segments) {
    let last = 0;
    for (const m of seg.text.matchAll(re)) {
      hit = true;
      const i = m.index;
      if (i > last) out.push({ ...seg, text: seg.text.slice(last, i) });
      out.push({ text: m[0], style: { ...seg.style, ...MENTION } });
      last = i + m[0].length;
    }
    if (last < seg.text.length) out.push({ ...seg, text: seg.text.slice(last) });
  }
  return { segments: out, hit };
}

function width(segments: Segment[]): number {
  return segments.reduce((n, s) => n + displayWidth(s.text), 0);
}

/** The clock column: `HH:MM ` (dim). */
function stamp(ctx: RenderContext, ts: number): Segment {
  return { text: `${ctx.clock(ts)} `, style: DIM };
}

/** Local `YYYY-MM-DD`. */
export function localDate(ts: number): string {
  const d = new Date(ts);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The clock column of a stored message: with the date too when it is from another day. */
function historyStamp(ctx: RenderContext, ts: number, now: number): Segment {
  const day = localDate(ts);
  return day === localDate(now) ? stamp(ctx, ts) : { text: `${day} ${ctx.clock(ts)} `, style: DIM };
}

function nameSeg(name: string): Segment {
  return { text: name, style: { bold: true, fg: nameColor(name) } };
}

function body(ctx: RenderContext, text: string, base?: Style): Segment[] {
  const formatted = formatMarkup(sanitizeText(text), base, { color: ctx.color });
  return highlightMentions(formatted, ctx.ownName).segments;
}

function lineOf(prefix: Segment[], rest: Segment[]): RenderedLine {
  return { line: [...prefix, ...rest], indent: width(prefix) };
}

/** A line the client itself says (dim), e.g. "Connection lost." */
export function renderNotice(ctx: RenderContext, text: string, ts: number): RenderedLine {
  return lineOf([stamp(ctx, ts)], [{ text: `-- ${sanitizeText(text)}`, style: DIM }]);
}

/** An error line (red, bold), e.g. a refused message. */
export function renderError(ctx: RenderContext, text: string, ts: number): RenderedLine {
  return lineOf([stamp(ctx, ts)], [{ text: `!! ${sanitizeText(text)}`, style: ERROR }]);
}

/** Lines shown with no timestamp (help, lists). */
export function renderInfo(text: string): RenderedLine {
  return { line: [{ text: sanitizeText(text), style: DIM }], indent: 2 };
}

/** Your own request once the server accepted it (the server does not echo it back). */
export function renderOwn(ctx: RenderContext, request: ChatRequest, ts: number): RenderedLine | null {
  const me = ctx.ownName ?? '?';
  switch (request.type) {
    case 'say':
      return lineOf(
        [stamp(ctx, ts), nameSeg(me), { text: ': ' }],
        body({ ...ctx, ownName: null }, request.text),
      );
    case 'me':
      return lineOf(
        [stamp(ctx, ts), { text: '* ', style: { italic: true } }, nameSeg(me), { text: ' ' }],
        body({ ...ctx, ownName: null }, request.text, { italic: true }),
      );
    case 'msg':
      return lineOf(
        [
          stamp(ctx, ts),
          { text: CLIENT_TEXTS[ctx.lang].privateTo(sanitizeText(request.to)), style: PRIVATE },
          { text: ' ' },
        ],
        body({ ...ctx, ownName: null }, request.text),
      );
    default:
      return null;
  }
}

const strip = (s: string) => s.replace(/^\*\*\* /, '');

/** `[#room] ` before what is said in a room other than the current one, as plain users see it. */
function roomTag(ctx: RenderContext, m: RoomSignal): Segment[] {
  const room = m.room;
  if (room === undefined || !ctx.currentRoom || roomKey(room) === roomKey(ctx.currentRoom)) return [];
  return [{ text: `[${sanitizeText(room)}] `, style: { bold: true } }];
}

/**
 * The terminal lines for one server message: names in their colour, local HH:MM, notices dim,
 * private messages and mentions of your name highlighted, `/me` as an action. Answers to your
 * own requests (`ack`, errors with a `ref`) are shown from the session's acked/refused events.
 */
export function renderServerMessage(ctx: RenderContext, m: ServerMessage, now: number): RenderedLine[] {
  const notice = (text: string, ts = now) => [renderNotice(ctx, strip(text), ts)];
  switch (m.type) {
    case 'message': {
      return [
        lineOf(
          [
            m.history ? historyStamp(ctx, m.ts, now) : stamp(ctx, m.ts),
            ...roomTag(ctx, m),
            nameSeg(sanitizeText(m.from)),
            { text: ': ' },
          ],
          body(ctx, m.text, m.history ? DIM : undefined),
        ),
      ];
    }
    case 'action':
      return [
        lineOf(
          [
            m.history ? historyStamp(ctx, m.ts, now) : stamp(ctx, m.ts),
            ...roomTag(ctx, m),
            { text: '* ', style: { italic: true } },
            nameSeg(sanitizeText(m.from)),
            { text: ' ' },
          ],
          body(ctx, m.text, { italic: true }),
        ),
      ];
    case 'private':
      return [
        lineOf(
          [
            stamp(ctx, m.ts),
            { text: CLIENT_TEXTS[ctx.lang].privateTag, style: PRIVATE },
            { text: ' ' },
            nameSeg(sanitizeText(m.from)),
            { text: ': ' },
          ],
          body(ctx, m.text, { bold: true }),
        ),
      ];
    case 'error':
      return m.ref === undefined ? [renderError(ctx, m.message, now)] : [];
    default:
      // Notices read as plain users read them (the server's renderer), dimmed, without `***`.
      return plainServerLines(ctx.lang, m, ctx.currentRoom ?? null).flatMap((l) =>
        notice(l, 'ts' in m ? m.ts : now),
      );
  }
}

const PLAIN_MESSAGE = /^([^\s:*[!][^\s:]{0,63}): (.*)$/su;
const PLAIN_PRIVATE = /^(\[[^\]]{1,40}\]) ([^\s:]{1,64}): (.*)$/su;
const PLAIN_ACTION = /^\* ([^\s]{1,64}) (.*)$/su;

/**
 * A line from a plain-text chat server, styled like papo's own events when it has their shape
 * (`name: text`, `* name text`, `[private] name: text`, `*** notice`, `!! error`).
 */
export function renderPlainLine(ctx: RenderContext, raw: string, now: number): RenderedLine {
  const line = sanitizeText(raw);
  if (line.startsWith('*** ')) return renderNotice(ctx, line.slice(4), now);
  if (line.startsWith('!! ')) return renderError(ctx, line.slice(3), now);
  let m = PLAIN_PRIVATE.exec(line);
  if (m) {
    const [, tag, from, text] = m as unknown as [string, string, string, string];
    return lineOf(
      [stamp(ctx, now), { text: tag, style: PRIVATE }, { text: ' ' }, nameSeg(from), { text: ': ' }],
      body(ctx, text, { bold: true }),
    );
  }
  m = PLAIN_ACTION.exec(line);
  if (m) {
    const [, from, text] = m as unknown as [string, string, string];
    return lineOf(
      [stamp(ctx, now), { text: '* ', style: { italic: true } }, nameSeg(from), { text: ' ' }],
      body(ctx, text, { italic: true }),
    );
  }
  m = PLAIN_MESSAGE.exec(line);
  if (m) {
    const [, from, text] = m as unknown as [string, string, string];
    return lineOf([stamp(ctx, now), nameSeg(from), { text: ': ' }], body(ctx, text));
  }
  return lineOf([stamp(ctx, now)], body(ctx, line));
}
