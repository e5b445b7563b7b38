// A strategy example for `orderflow backtest examples/imbalance-reversal-strategy.ts`: follow stacked imbalances
// and absorptions, exit on a delta exhaustion against the position or after `holdBars` bars.

import { defineStrategy } from '../src/backtest/strategy.ts';

export default defineStrategy((options) => {
  const size = typeof options.size === 'number' ? options.size : 1000;
  const holdBars = typeof options.holdBars === 'number' ? options.holdBars : 5;
  let enteredAt = -1;
  return {
    name: 'imbalance-reversal',
    onBar(ctx) {
      let vote = 0;
      for (const s of ctx.signals) {
        if (s.kind === 'stacked_imbalance' || s.kind === 'absorption')
          vote += s.direction === 'bullish' ? 1 : -1;
        if (s.kind === 'delta_exhaustion' && ctx.position !== 0) {
          // The move the position rides is running out of aggressors: get out.
          if ((s.direction === 'bearish') === ctx.position > 0) vote = 0;
        }
      }
      if (vote !== 0 && Math.sign(vote) !== Math.sign(ctx.position)) {
        ctx.targetPosition(Math.sign(vote) * size);
        enteredAt = ctx.barIndex;
      } else if (ctx.position !== 0 && ctx.barIndex - enteredAt >= holdBars) {
        ctx.targetPosition(0);
      }
    },
  };
});
