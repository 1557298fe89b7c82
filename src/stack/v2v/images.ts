import type { ImageFacts, ImageHeader } from '../../model/image.js';
import type { StackContext } from '../context.js';

/** Files virt-v2v creates during the run (overlays, output disks): known by what it writes, not read from disk. */
export function created(filename: string, format: string, backing?: { file: string; format?: string }): ImageFacts {
  return {
    filename,
    exists: true,
    kind: 'file',
    probes: [{ format: format === 'qcow2' ? 'qcow2' : 'raw', score: format === 'qcow2' ? 100 : 1 }],
    header: header(format, backing),
  };
}

function header(format: string, backing?: { file: string; format?: string }): ImageHeader {
  const fields = {
    format: format === 'qcow2' ? ('qcow2' as const) : ('raw' as const),
    ...(format === 'qcow2' ? { version: 3 } : {}),
    ...(backing ? { backingFile: backing.file, ...(backing.format ? { backingFormat: backing.format } : {}) } : {}),
  };
  // A header virt-v2v just wrote has nothing to note; both the older (problems) and newer (notes) field are empty.
  return Object.assign(fields, { problems: [] as string[], notes: [] as string[] });
}

/** The context's facts, with the files of this run layered on top. */
export function withCreated(ctx: StackContext, files: ImageFacts[]): StackContext {
  const byName = new Map(files.map((f) => [f.filename, f]));
  return { ...ctx, facts: (name, literal) => byName.get(name) ?? ctx.facts(name, literal) };
}
