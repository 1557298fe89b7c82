/** How libguestfs tools print an error of the library (lib/errors.c default_error_cb, common/mltools tools_utils.ml). */

export type ToolFamily = 'c' | 'ocaml';

/** Who adds the drives: the program that prints the errors, and how it prints them. */
export interface GuestfsCaller {
  program: string;
  family: ToolFamily;
}

export const LIBRARY: GuestfsCaller = { program: 'libguestfs', family: 'c' };

/** DEBUG_ADVICE and the sentence before it (lib/errors.c guestfs_int_external_command_failed, 1.48.6). */
export const DEBUG_ADVICE = [
  'To see full error messages you may need to enable debugging.',
  'Do:',
  '  export LIBGUESTFS_DEBUG=1 LIBGUESTFS_TRACE=1',
  'and run the command again.  For further information, read:',
  '  http://libguestfs.org/guestfs-faq.1.html#debugging-libguestfs',
  "You can also run 'libguestfs-test-tool' and post the *complete* output",
  'into a bug report or message to the libguestfs mailing list.',
];

/** A C tool leaves the default handler ("libguestfs: error: "); an OCaml tool catches Guestfs.Error and exits through `error`. */
export function libraryError(caller: GuestfsCaller, text: string): string[] {
  const lines = text.split('\n');
  if (caller.family === 'c') return [`libguestfs: error: ${lines[0] ?? ''}`, ...lines.slice(1)];
  const p = caller.program;
  return [
    `${p}: error: libguestfs error: ${lines[0] ?? ''}`,
    ...lines.slice(1),
    '',
    `If reporting bugs, run ${p} with debugging enabled and include the complete output:`,
    '',
    `  ${p} -v -x [...]`,
  ];
}

/** get_source_format_or_autodetect (lib/launch-libvirt.c). */
export const LIBVIRT_NON_FILE_FORMAT =
  'could not auto-detect the format when using a non-file protocol.\n' +
  'If the format is known, pass the format to libguestfs, eg. using the\n' +
  '‘--format’ option, or via the optional ‘format’ argument to ‘add-drive’.';

/** construct_libvirt_xml_disk (lib/launch-libvirt.c). */
export const LIBVIRT_CURL =
  'libvirt does not support the qemu curl driver protocols (ftp, http, etc.); try setting LIBGUESTFS_BACKEND=direct';
