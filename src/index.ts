// The library API: the pure core and the engines.
export * from './core/units.ts';
export * from './core/errors.ts';
export * from './core/decimal.ts';
export * from './core/time.ts';
export * from './core/trade.ts';
export * from './core/classify.ts';
export * from './core/instrument.ts';
export * from './core/config.ts';
export * from './core/ratio.ts';
export * from './core/params.ts';
export * from './engines/footprint.ts';
export * from './engines/bars.ts';
