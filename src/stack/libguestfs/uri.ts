/** The -a argument as libguestfs-common options/uri.c reads it (parse_uri, is_uri, make_server). */

export type AddArgument =
  | { kind: 'file'; path: string; schemeIgnored?: string }
  | { kind: 'uri'; protocol: string; path: string; server?: string; username?: string; secret?: string }
  | { kind: 'unparsable' };

/** Schemes whose URI path loses its leading '/' (rbd:///pool/disk names "pool/disk"). */
const SLASHLESS = ['gluster', 'iscsi', 'nbd', 'rbd', 'sheepdog'];

const URI = /^([^:/?#]+):\/\/(?:([^@/?#]*)@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$/s;

export function parseAddArgument(arg: string): AddArgument {
  if (!isUri(arg)) {
    // "nbd+unix://..." or "NBD://..." are not URIs to libguestfs: the whole string is a file name.
    const scheme = /^([^/]*):\/\//.exec(arg)?.[1];
    return scheme === undefined ? { kind: 'file', path: arg } : { kind: 'file', path: arg, schemeIgnored: scheme };
  }
  const m = URI.exec(arg);
  if (!m) return { kind: 'unparsable' };
  const [, scheme = '', userinfo, host = '', port, rawPath = '', query] = m;
  const socket = query === undefined ? undefined : queryGet(query, 'socket');
  const path = decodeOrKeep(rawPath);
  const out: AddArgument = {
    kind: 'uri',
    protocol: scheme,
    path: path.startsWith('/') && SLASHLESS.includes(scheme) ? path.slice(1) : path,
  };
  if (host !== '')
    out.server =
      port !== undefined && port !== '' && Number(port) !== 0 ? `tcp:${host}:${Number(port)}` : `tcp:${host}`;
  else if (socket !== undefined) out.server = `unix:${socket}`;
  if (userinfo) {
    const colon = userinfo.indexOf(':');
    out.username = decodeOrKeep(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const secret = colon < 0 ? '' : decodeOrKeep(userinfo.slice(colon + 1));
    if (secret !== '') out.secret = secret;
  }
  return out;
}

/** A short lower-case ASCII word followed by "://" (at most 8 letters). */
function isUri(arg: string): boolean {
  const at = arg.indexOf('://');
  return at >= 0 && at <= 8 && /^[a-z]*$/.test(arg.slice(0, at));
}

/** query_get: '&' (or ';') separated name=value pairs, a bare name has the value "". */
function queryGet(query: string, name: string): string | undefined {
  for (const part of query.split(/[&;]/)) {
    if (part === '' || part.startsWith('=')) continue;
    const eq = part.indexOf('=');
    if (decodeOrKeep(eq < 0 ? part : part.slice(0, eq)) === name) return eq < 0 ? '' : decodeOrKeep(part.slice(eq + 1));
  }
  return undefined;
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
