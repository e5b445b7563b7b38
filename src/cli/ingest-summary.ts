// One readable paragraph on stderr about what a file import found (malformed rows, duplicates, gaps).

import type { IngestReport } from '../sources/files/ingest-report.ts';

export function formatIngestSummary(r: IngestReport): string {
  const parts = [
    `${r.file}: ${r.format}, ${r.exchange}:${r.symbol}, ${r.tradesAccepted} trades`,
    `scale ${r.scaleSource}${r.scaleNote ? ` (${r.scaleNote})` : ''}`,
  ];
  if (r.malformed > 0) parts.push(`${r.malformed} malformed rows`);
  if (r.duplicates > 0) parts.push(`${r.duplicates} duplicate ids dropped`);
  if (r.outOfOrder > 0) parts.push(`${r.outOfOrder} out-of-order rows re-sorted`);
  if (r.idGaps.gaps > 0) parts.push(`${r.idGaps.missingIds} ids missing in ${r.idGaps.gaps} gaps`);
  const lines = [parts.join('; ')];
  for (const m of r.malformedExamples.slice(0, 5))
    lines.push(`  line ${m.line}: ${m.reason} (${JSON.stringify(m.value)})`);
  if (r.malformedExamples.length > 5) lines.push(`  … ${r.malformed - 5} more`);
  return lines.join('\n');
}
