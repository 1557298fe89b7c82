/**
 * How virt-v2v prints an error (common/mltools/tools_utils.ml `error`): the message, then unless -v -x the
 * hint to rerun with debugging. Captured from virt-v2v 2.2.0 (test/fixtures/v2v/errors.txt); 1.40 prints the same.
 */
export function v2vError(text: string): string[] {
  return [
    `virt-v2v: error: ${text}`.split('\n'),
    '',
    'If reporting bugs, run virt-v2v with debugging enabled and include the complete output:',
    '',
    '  virt-v2v -v -x [...]',
  ].flat();
}
