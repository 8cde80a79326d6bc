export * from './target.ts';
export * from './events.ts';
export * from './ids.ts';
export * from './wire.ts';
