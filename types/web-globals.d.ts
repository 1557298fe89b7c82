/**
 * The two WHATWG globals the core uses, declared for tsconfig.core.json, which has no Node or DOM types:
 * both compute and do no I/O, and Node, Deno and browsers all have them. Only the members the core reads.
 */
declare class URL {
  constructor(input: string, base?: string);
  readonly href: string;
  readonly protocol: string;
  readonly username: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
  readonly searchParams: { get(name: string): string | null };
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
