import { named, type Recogniser } from './recogniser.js';

/** errno texts QEMU appends to "Could not open 'F': " (qemu_open -> error_setg_errno). */
const ERRNO = [
  'Permission denied',
  'Is a directory',
  'Read-only file system',
  'Operation not permitted',
  'No medium found',
  'Too many open files',
  'Not a directory',
  'Input/output error',
  'No such device or address',
  'Device or resource busy',
  'Resource temporarily unavailable',
  'Failed to get "write" lock',
  'Failed to get "consistent read" lock',
]
  .map((t) => t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
  .join('|');

/**
 * QEMU's refusals, every version blockgate models (docs/research/qemu-messages-by-version.md), most specific first.
 * The texts are the ones src/engine/messages.ts prints, plus the older and the tool-only shapes.
 */
export const QEMU_TEXTS: Recogniser[] = [
  {
    kind: 'module-hint',
    re: /module block-(?:block-)?([\w-]+) not found, do you want to install (\S+) package\?/,
    args: (m) => ({ module: `block-${m[1]}.so`, package: m[2] ?? '' }),
  },
  // Debian 10.x moved the hint into block.c and names the bare library (§C.9).
  {
    kind: 'module-hint',
    re: /Unable to load module ([\w-]+)\. Perhaps you want to install (.+?) package\?/,
    args: (m) => ({ module: `block-${m[1]}.so`, package: m[2] ?? '' }),
  },
  // util/module.c module_load_dso: a module of another build (after an upgrade), or a broken file.
  {
    kind: 'module-unloadable',
    re: /failed to (open|initialize) module: ((?:\S*\/)?block-([\w-]+)\.so)(?:: (.*))?/,
    args: (m) => ({ stage: m[1] ?? '', path: m[2] ?? '', module: `block-${m[3]}.so`, ...(m[4] ? { text: m[4] } : {}) }),
  },
  { kind: 'read-only-only', re: /Driver '([^']+)' can only be used for read-only devices/, args: named('driver') },
  // 7780d47211, only between 1.6 and 1.7.
  { kind: 'read-only-only', re: /'([^']+)' can be only used as read-only device/, args: named('driver') },
  { kind: 'not-whitelisted', re: /Driver '([^']+)' is not whitelisted/, args: named('driver') },
  { kind: 'unknown-protocol', re: /Unknown protocol '([^']+)'/, args: named('protocol') },
  // 1.7 - 2.2 did not name it; the file name after "could not open disk image " does.
  { kind: 'unknown-protocol', re: /Unknown protocol(?! ')/ },
  { kind: 'unknown-driver', re: /Unknown driver:? '([^']+)'/, args: named('driver') },
  { kind: 'unknown-driver', re: /Invalid driver: '([^']+)'/, args: named('driver') },
  { kind: 'unknown-driver', re: /'([^']+)' invalid format/, args: named('driver') },
  { kind: 'unknown-driver', re: /Unknown file format '([^']+)'/, args: named('driver') },
  { kind: 'unknown-driver', re: /Parameter 'driver' does not accept value '([^']+)'/, args: named('driver') },
  { kind: 'no-such-file', re: /Could not open '([^']*)': No such file or directory/, args: named('filename') },
  // upstream 1.5.3: strerror only.
  { kind: 'no-such-file', re: /could not open disk image (.+?): No such file or directory/, args: named('filename') },
  { kind: 'cannot-open', re: new RegExp(`Could not open '([^']*)': (${ERRNO})`), args: named('filename', 'text') },
  { kind: 'device-read-only', re: /Block node is read-only/ },
  { kind: 'device-read-only', re: /Can't use a read-only drive/ },
  { kind: 'device-read-only', re: /Cannot use read-only drive as SD card/, args: () => ({ device: 'sd' }) },
  { kind: 'device-read-only', re: /sd_init: Cannot use read-only drive/, args: () => ({ device: 'sd' }) },
  {
    kind: 'raw-probed',
    re: /WARNING: Image format was not specified for '(.*)' and probing guessed raw\./,
    args: named('filename'),
  },
  { kind: 'node-not-found', re: /Cannot find device='?([^' ]*)'? nor node[-_]name='?([^' ]*)'?/, args: named('name') },
  {
    kind: 'json-invalid',
    re: /Could not parse the JSON options(?:: (.*))?|Invalid JSON object given/,
    args: named('detail'),
  },
  { kind: 'cannot-write', re: /(curl) driver does not support writes/, args: named('implementation') },
  { kind: 'backing-loop', re: /Backing file '([^']*)' creates an infinite loop/, args: named('backing') },
  // qemu-img create/rebase since 6.1 (497a30dbb0) refuse a backing file without its format.
  { kind: 'backing-format-missing', re: /Backing file specified without backing format/ },
  {
    kind: 'backing-format-missing',
    re: /Could not change the backing file to '([^']*)': backing format must be specified/,
    args: named('backing'),
  },
];

/**
 * Lines that only continue the message before them: the raw WARNING's indented lines, the pre-2.9 IDE triple,
 * qemu-img create's trailer, the module build check, and after Debian's module hint the error it announced.
 */
export const QEMU_CONTINUATIONS: RegExp[] = [
  /^\s+Automatically detecting the format is dangerous for raw images/,
  /^\s+Specify the 'raw' format explicitly to remove the restrictions\./,
  /Device initialization failed\.$/,
  /Initialization of device \S+ failed$/,
  /Device '\S+' could not be initialized$/,
  /^Could not open backing image\.$/,
  /^Only modules from the same build can be loaded\.$/,
  /^Detected format of \w+\.$/,
];

/** What follows Debian's hint and belongs to it (§C.9): the lost-error texts of 10.x, or the plain error of 7.2. */
export const AFTER_MODULE_HINT =
  /Unknown protocol|Unknown driver|Must specify either driver or file|A block device must be specified for "file"/;
