// Registers custom indicators from the config: `indicators: [{ module, options?, as? }]`, each module a file whose
// default export (or export `indicator`) is a `defineIndicator(...)` value. Module paths resolve from a base dir.

import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { OrderflowError } from '../core/errors.ts';
import { defineIndicator, type IndicatorDefinition } from './indicator.ts';
import type { IndicatorInstance } from './indicator-runner.ts';

export const indicatorEntrySchema = z
  .object({
    /** Path of the module (.ts with the tsx loader, or .js/.mjs), relative to the config file's directory. */
    module: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
    as: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/)
      .optional(),
  })
  .strict();
export const indicatorsConfigSchema = z.array(indicatorEntrySchema).default([]);
export type IndicatorEntry = z.output<typeof indicatorEntrySchema>;

const isDefinition = (v: unknown): v is IndicatorDefinition =>
  typeof v === 'object' && v !== null && 'name' in v && 'onBar' in v && 'init' in v && 'inputs' in v;

/** Imports and checks each configured indicator module; errors name the module and what is wrong. */
export async function loadIndicators(entries: unknown, baseDir: string): Promise<IndicatorInstance[]> {
  const parsed = indicatorsConfigSchema.safeParse(entries);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `indicators.${i.path.join('.')}: ${i.message}`);
    throw new OrderflowError('INVALID_CONFIG', `invalid indicators config:\n  ${lines.join('\n  ')}`);
  }
  const out: IndicatorInstance[] = [];
  for (const e of parsed.data) {
    const path = isAbsolute(e.module) ? e.module : resolve(baseDir, e.module);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (err) {
      throw new OrderflowError(
        'INVALID_CONFIG',
        `indicator module ${e.module} could not be loaded: ${String(err)}`,
      );
    }
    const def = mod.default ?? mod.indicator;
    if (!isDefinition(def)) {
      throw new OrderflowError(
        'INVALID_CONFIG',
        `indicator module ${e.module} must export default defineIndicator({ name, inputs, init, onBar })`,
      );
    }
    try {
      defineIndicator(def);
    } catch (err) {
      throw new OrderflowError('INVALID_CONFIG', `indicator module ${e.module}: ${(err as Error).message}`);
    }
    out.push({ definition: def, options: e.options, ...(e.as === undefined ? {} : { as: e.as }) });
  }
  return out;
}
