export * from './line-decoder.js';
export * from './plain-commands.js';
export * from './json-messages.js';
export * from './json-codec.js';
export * from './render.js';
export * from './texts.js';
