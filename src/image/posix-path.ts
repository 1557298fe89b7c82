/**
 * The POSIX path arithmetic safety.ts needs, for a core that imports nothing of Node. Ported from
 * Node's lib/path.js (posix: normalizeString, resolve, dirname, extname), including its corner
 * cases ('//' roots, trailing slashes, dot files); test/unit/posix-path.test.ts compares every
 * function with node:path's posix on generated paths. resolve needs an absolute argument (the
 * callers pass the working directory): the core has no process.cwd().
 */

function normalize(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

export const isAbsolute = (path: string): boolean => path.startsWith('/');

export function resolve(...paths: string[]): string {
  let joined = '';
  for (let i = paths.length - 1; i >= 0 && !isAbsolute(joined); i--) {
    const path = paths[i] ?? '';
    if (path !== '') joined = joined === '' ? path : `${path}/${joined}`;
  }
  if (!isAbsolute(joined)) throw new Error(`resolve needs an absolute path among ${JSON.stringify(paths)}`);
  return normalize(joined);
}

export function dirname(path: string): string {
  if (path === '') return '.';
  const rooted = isAbsolute(path);
  let end = -1;
  let inSlashes = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] === '/') {
      if (!inSlashes) {
        end = i;
        break;
      }
    } else inSlashes = false;
  }
  if (end === -1) return rooted ? '/' : '.';
  if (rooted && end === 1) return '//';
  return path.slice(0, end);
}

export function extname(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  // A leading dot (".bashrc") and ".." name no extension.
  return dot <= 0 || base === '..' ? '' : base.slice(dot);
}
