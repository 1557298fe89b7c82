import { Command, CommanderError } from 'commander';
import { InputError } from '../errors.js';

// `blockgate profiles | head`: a reader that went away is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

/** Exit status: 0 opens, 1 fails, 2 bad input. Commands set process.exitCode; nothing here calls process.exit on success. */
const program = new Command('blockgate')
  .description('Will this disk open on this stack, and if not, exactly why?')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `blockgate: ${text}` : text) })
  .showSuggestionAfterError();

program
  .command('check')
  .description('predict whether every disk of a qemu-system, qemu-kvm or qemu-img/io/nbd command line opens')
  .option('-p, --profile <name|file>', 'bundled profile name or profile file (default: this machine, inspected and cached)')
  .option('--json', 'print the versioned JSON result')
  .option('-C, --cwd <dir>', 'folder the command would run in (relative image names)', process.cwd())
  .option('--domain <file>', 'a libvirt domain XML (- for standard input: virsh dumpxml GUEST | blockgate check --domain -)')
  .argument('[command...]', 'the command to check, after --: qemu-system-*, qemu-kvm, qemu-img/io/nbd, guestfish and virt-* tools, virt-v2v')
  .action(async (command: string[], options: { profile?: string; json?: boolean; cwd: string; domain?: string }) => {
    const { runCheck } = await import('./check.js');
    await runCheck(command, options);
  });

program
  .command('verify')
  .description('run the real qemu-system/qemu-kvm command paused, with no guest code, and hold what opened against the prediction; exit 1 when they differ')
  .option('-p, --profile <name|file>', 'bundled profile name or profile file to hold against reality (default: this machine, inspected)')
  .option('--json', 'print JSON')
  .option('-C, --cwd <dir>', 'folder to run the command in', process.cwd())
  .argument('<command...>', 'the command to run, after --')
  .action(async (command: string[], options: { profile?: string; json?: boolean; cwd: string }) => (await import('./verify.js')).runVerify(command, options));

program
  .command('inspect')
  .description("write a profile of this machine's QEMU (or of the binaries named), read from the binaries themselves")
  .option('--qemu <path...>', 'qemu-system-* / qemu-kvm binaries (default: /usr/libexec/qemu-kvm and qemu-system-* on PATH)')
  .option('--qemu-img <path>', 'qemu-img binary (default: next to the first --qemu, else on PATH)')
  .option('--module-dir <dir>', "look for block modules here instead of the binary's configured module dir")
  .option('--json', 'print JSON instead of YAML')
  .action(async (options: { qemu?: string[]; qemuImg?: string; moduleDir?: string; json?: boolean }) => (await import('./inspect.js')).runInspect(options));

program
  .command('probe')
  .description('try every known driver read-write and read-only in one paused QEMU over QMP; report where it disagrees with the profile')
  .option('--qemu <path>', 'qemu-system-* / qemu-kvm binary (default: the first found on this host)')
  .option('--module-dir <dir>', 'block module folder (QEMU_MODULE_DIR)')
  .option('-p, --profile <name|file>', 'profile to compare with (default: inspect of the same binary)')
  .option('--json', 'print {"driver": {"rw": outcome, "ro": outcome}}')
  .action(async (options: { qemu?: string; moduleDir?: string; profile?: string; json?: boolean }) => (await import('./probe-command.js')).runProbeCommand(options));

program
  .command('gate')
  .description("compare this build (inspected, and with --probe tried) against an expected profile; exit 1 on drift (for distro CI)")
  .requiredOption('--expect <name|file>', 'the profile the build must match')
  .option('--qemu <path...>', 'qemu-system-* / qemu-kvm binaries of the build')
  .option('--qemu-img <path>', 'qemu-img of the build')
  .option('--module-dir <dir>', "the build's block module folder")
  .option('--probe', 'also try every driver in the running build')
  .option('--format <format>', 'text, json or junit', 'text')
  .action(async (options: { expect: string; qemu?: string[]; qemuImg?: string; moduleDir?: string; probe?: boolean; format: string }) =>
    (await import('./gate.js')).runGate(options));

const profiles = program.command('profiles').description('list the bundled profiles');
profiles.action(async () => (await import('./profiles.js')).listProfiles());
profiles
  .command('show')
  .description('print one profile with every fact and its source')
  .argument('<name|file>')
  .option('--json', 'print JSON instead of YAML')
  .action(async (name: string, options: { json?: boolean }) => (await import('./profiles.js')).showProfile(name, options));

program
  .command('image')
  .description("each image's backing chain as a tree, safety findings, and whether the profile's hypervisor opens it read-write; exit 1 on an error finding or a failure")
  .argument('<path...>', 'image files')
  .option('-p, --profile <name|file>', 'bundled profile name or profile file (default: this machine, inspected)')
  .option('-f, --format <format>', 'the format the images are meant to have (without it QEMU probes)')
  .option('--read-outside', "follow backing files, data files and extents outside each image's folder")
  .option('--json', 'print a JSON array, one object per image')
  .option('-C, --cwd <dir>', 'folder relative names start from', process.cwd())
  .action(async (paths: string[], options: { profile?: string; format?: string; readOutside?: boolean; json?: boolean; cwd: string }) => {
    const { loadProfile } = await import('../host/profiles.js');
    const profile = await loadProfile(options.profile);
    await (await import('./image.js')).runImage(paths, { ...options, profile });
  });

program
  .command('scan')
  .description('every image under the folders, judged like `image`; --json prints one object per image per line')
  .argument('<dir...>', 'folders to scan')
  .option('-p, --profile <name|file>', 'bundled profile name or profile file (default: this machine, inspected)')
  .option('-j, --jobs <n>', 'worker threads (default 1: on 2 cores one thread measured fastest)', (v) => Number.parseInt(v, 10))
  .option('--json', 'one JSON object per image per line; the summary goes to stderr')
  .action(async (dirs: string[], options: { profile?: string; jobs?: number; json?: boolean }) => {
    const { loadProfile } = await import('../host/profiles.js');
    const profile = await loadProfile(options.profile);
    await (await import('./scan.js')).runScan(dirs, { ...options, profile });
  });

program
  .command('explain')
  .description('from an error message or a whole log to the cause, the layer and the fix; exit 1 when nothing is recognised')
  .argument('[message...]', 'the message, as printed')
  .option('--log <file>', 'read a log (- for standard input) and explain every message recognised in it')
  .option('-p, --profile <name|file>', 'make the fixes specific to this profile (default: this machine, inspected)')
  .option('--json', 'print JSON')
  .action(async (message: string[], options: { log?: string; profile?: string; json?: boolean }) => (await import('./explain.js')).runExplain(message, options));

program
  .command('diff')
  .description('differences in the QEMU facts of two profiles (whitelists, drivers, modules, tools enforcement); exit 1 when they differ')
  .argument('<profile-a>', 'bundled profile name or profile file')
  .argument('<profile-b>', 'bundled profile name or profile file')
  .option('--format <format>', 'text, json or junit', 'text')
  .action(async (a: string, b: string, options: { format: string }) => (await import('./diff.js')).runDiff(a, b, options));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitFor(error);
}

function exitFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof InputError) {
    process.stderr.write(`blockgate: ${error.message}\n`);
    return 2;
  }
  throw error;
}
