/** The edge every reporting command writes through: the chosen format's text on stdout, colour only for text. */
import { paintFor, type Paint } from '../report/paint.js';
import { render, type FindingsReport, type OutputFormat } from '../report/format.js';
import { toolMeta } from './meta.js';

export interface Own {
  text: (paint: Paint) => string;
  json: () => string;
}

/** Writes the result in `format`; a format with nothing to say (github with no findings) writes nothing. */
export function printResult(format: OutputFormat, report: () => FindingsReport, own: Own): void {
  const out = render(
    format,
    report,
    { text: () => own.text(paintFor(process.stdout, process.env)), json: own.json },
    toolMeta,
  );
  if (out !== '') process.stdout.write(`${out}\n`);
}
