// Branded number types: a price in ticks, a quantity in lots and a time in µs can never be mixed by accident.
// All three are integers held in JS numbers, exact below 2^53.

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Price as an integer count of the instrument's price increment. */
export type PriceTicks = Brand<number, 'PriceTicks'>;
/** Quantity as an integer count of the instrument's quantity increment. */
export type QtyLots = Brand<number, 'QtyLots'>;
/** Integer microseconds since the Unix epoch, UTC. */
export type UnixMicros = Brand<number, 'UnixMicros'>;
/** Footprint/profile row index: floor(priceTicks / ticksPerRow). */
export type RowIndex = Brand<number, 'RowIndex'>;

export const ticks = (n: number): PriceTicks => n as PriceTicks;
export const lots = (n: number): QtyLots => n as QtyLots;
export const micros = (n: number): UnixMicros => n as UnixMicros;
export const rowIndex = (n: number): RowIndex => n as RowIndex;

/**
 * Aggressor side. +1: buyer-initiated (the taker bought, lifted the ask: "buy" / "ask" volume).
 * -1: seller-initiated (the taker sold, hit the bid: "sell" / "bid" volume).
 */
export type Side = 1 | -1;
export const BUY: Side = 1;
export const SELL: Side = -1;
