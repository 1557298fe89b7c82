/**
 * Every command and option of blockgate, once: --help, the shell completions (completion.ts) and the man page
 * (man.ts, scripts/build-man.mjs) are all read from this tree. Actions import their command lazily, so building
 * the tree runs nothing.
 */
import { Argument, Command, Option } from 'commander';
import { COMPARISON_FORMATS, OUTPUT_FORMATS, type OutputFormat } from '../report/format.js';

/** --format: choices shown by --help and offered by completion; checked by parseFormat, whose message tests pin. */
function formatOption(allowed: readonly OutputFormat[] = OUTPUT_FORMATS): Option {
  const option = new Option('--format <format>', 'output format (--json is --format json)');
  option.argChoices = [...allowed];
  return option;
}

const strictOption = () => new Option('--strict', 'warnings fail too: exit 1 on a warning finding');

export function buildProgram(version: string): Command {
  const program = new Command('blockgate')
    .description('Will this disk open on this stack, and if not, exactly why?')
    .version(version)
    // Set before the subcommands are made: they inherit both. Every error ends as one `blockgate: ...` line, exit 2.
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `blockgate: ${text}` : text),
    })
    .showSuggestionAfterError();

  program
    .command('check')
    .description('predict whether every disk of a qemu-system, qemu-kvm or qemu-img/io/nbd command line opens')
    .option(
      '-p, --profile <name|file>',
      'bundled profile name or profile file (default: this machine, inspected and cached)',
    )
    .option('--json', 'print the versioned JSON result')
    .addOption(formatOption())
    .addOption(strictOption())
    .option('-C, --cwd <dir>', 'folder the command would run in (relative image names; default: the current folder)')
    .option(
      '--domain <file>',
      'a libvirt domain XML (- for standard input: virsh dumpxml GUEST | blockgate check --domain -)',
    )
    .argument(
      '[command...]',
      'the command to check, after --: qemu-system-*, qemu-kvm, qemu-img/io/nbd, guestfish and virt-* tools, virt-v2v',
    )
    .action(
      async (
        command: string[],
        options: { profile?: string; json?: boolean; format?: string; strict?: boolean; cwd?: string; domain?: string },
      ) => {
        const { runCheck } = await import('./check.js');
        await runCheck(command, { ...options, cwd: options.cwd ?? process.cwd() });
      },
    );

  program
    .command('verify')
    .description(
      'run the real qemu-system/qemu-kvm command paused, with no guest code, and hold what opened against the prediction; exit 1 when they differ',
    )
    .option(
      '-p, --profile <name|file>',
      'bundled profile name or profile file to hold against reality (default: this machine, inspected)',
    )
    .option('--json', 'print JSON')
    .addOption(formatOption(COMPARISON_FORMATS))
    .option('-C, --cwd <dir>', 'folder to run the command in (default: the current folder)')
    .argument('<command...>', 'the command to run, after --')
    .action(async (command: string[], options: { profile?: string; json?: boolean; format?: string; cwd?: string }) =>
      (await import('./verify.js')).runVerify(command, { ...options, cwd: options.cwd ?? process.cwd() }),
    );

  program
    .command('inspect')
    .description("write a profile of this machine's QEMU (or of the binaries named), read from the binaries themselves")
    .option(
      '--qemu <path...>',
      'qemu-system-* / qemu-kvm binaries (default: /usr/libexec/qemu-kvm and qemu-system-* on PATH)',
    )
    .option('--qemu-img <path>', 'qemu-img binary (default: next to the first --qemu, else on PATH)')
    .option('--module-dir <dir>', "look for block modules here instead of the binary's configured module dir")
    .option('--json', 'print JSON instead of YAML')
    .action(async (options: { qemu?: string[]; qemuImg?: string; moduleDir?: string; json?: boolean }) =>
      (await import('./inspect.js')).runInspect(options),
    );

  program
    .command('probe')
    .description(
      'try every known driver read-write and read-only in one paused QEMU over QMP; report where it disagrees with the profile',
    )
    .option('--qemu <path>', 'qemu-system-* / qemu-kvm binary (default: the first found on this host)')
    .option('--module-dir <dir>', 'block module folder (QEMU_MODULE_DIR)')
    .option('-p, --profile <name|file>', 'profile to compare with (default: inspect of the same binary)')
    .option('--json', 'print {"driver": {"rw": outcome, "ro": outcome}}')
    .action(async (options: { qemu?: string; moduleDir?: string; profile?: string; json?: boolean }) =>
      (await import('./probe-command.js')).runProbeCommand(options),
    );

  program
    .command('gate')
    .description(
      'compare this build (inspected, and with --probe tried) against an expected profile; exit 1 on drift (for distro CI)',
    )
    .requiredOption('--expect <name|file>', 'the profile the build must match')
    .option('--qemu <path...>', 'qemu-system-* / qemu-kvm binaries of the build')
    .option('--qemu-img <path>', 'qemu-img of the build')
    .option('--module-dir <dir>', "the build's block module folder")
    .option('--probe', 'also try every driver in the running build')
    .option('--json', 'print JSON (--format json)')
    .addOption(formatOption(COMPARISON_FORMATS))
    .action(
      async (options: {
        expect: string;
        qemu?: string[];
        qemuImg?: string;
        moduleDir?: string;
        probe?: boolean;
        format?: string;
        json?: boolean;
      }) => (await import('./gate.js')).runGate(options),
    );

  const profiles = program.command('profiles').description('list the bundled profiles');
  profiles.action(async () => (await import('./profiles.js')).listProfiles());
  profiles
    .command('show')
    .description('print one profile with every fact and its source')
    .argument('<name|file>')
    .option('--json', 'print JSON instead of YAML')
    .action(async (name: string, options: { json?: boolean }) =>
      (await import('./profiles.js')).showProfile(name, options),
    );

  program
    .command('image')
    .description(
      "each image's backing chain as a tree, safety findings, and whether the profile's hypervisor opens it read-write; exit 1 on an error finding or a failure",
    )
    .argument('<path...>', 'image files')
    .option('-p, --profile <name|file>', 'bundled profile name or profile file (default: this machine, inspected)')
    .option('-f, --image-format <fmt>', 'the format the images are meant to have (without it QEMU probes)')
    .option('--read-outside', "follow backing files, data files and extents outside each image's folder")
    .option('--json', 'print a JSON array, one object per image')
    .addOption(formatOption())
    .addOption(strictOption())
    .option('-C, --cwd <dir>', 'folder relative names start from (default: the current folder)')
    .action(
      async (
        paths: string[],
        options: {
          profile?: string;
          imageFormat?: string;
          readOutside?: boolean;
          json?: boolean;
          format?: string;
          strict?: boolean;
          cwd?: string;
        },
      ) => {
        const { parseFormat } = await import('../report/format.js');
        parseFormat(options);
        const { loadProfile } = await import('../host/profiles.js');
        const profile = await loadProfile(options.profile);
        await (await import('./image.js')).runImage(paths, { ...options, cwd: options.cwd ?? process.cwd(), profile });
      },
    );

  program
    .command('scan')
    .description('every image under the folders, judged like `image`; --json prints one object per image per line')
    .argument('<dir...>', 'folders to scan')
    .option('-p, --profile <name|file>', 'bundled profile name or profile file (default: this machine, inspected)')
    .option('-j, --jobs <n>', 'worker threads (default 1: on 2 cores one thread measured fastest)', (v) =>
      Number.parseInt(v, 10),
    )
    .option('--json', 'one JSON object per image per line; the summary goes to stderr')
    .addOption(formatOption())
    .addOption(strictOption())
    .action(
      async (
        dirs: string[],
        options: { profile?: string; jobs?: number; json?: boolean; format?: string; strict?: boolean },
      ) => {
        const { parseFormat } = await import('../report/format.js');
        parseFormat(options);
        const { loadProfile } = await import('../host/profiles.js');
        const profile = await loadProfile(options.profile);
        await (await import('./scan.js')).runScan(dirs, { ...options, profile });
      },
    );

  program
    .command('explain')
    .description(
      'from an error message or a whole log to the cause, the layer and the fix; exit 1 when nothing is recognised',
    )
    .argument('[message...]', 'the message, as printed (quoting is optional: words like -drive are taken as its words)')
    .allowUnknownOption()
    .option('--log <file>', 'read a log (- for standard input) and explain every message recognised in it')
    .option('-p, --profile <name|file>', 'make the fixes specific to this profile (default: this machine, inspected)')
    .option('--json', 'print JSON')
    .addOption(formatOption())
    .addOption(strictOption())
    .action(
      async (
        message: string[],
        options: { log?: string; profile?: string; json?: boolean; format?: string; strict?: boolean },
      ) => (await import('./explain.js')).runExplain(message, options),
    );

  program
    .command('diff')
    .description(
      'differences in the QEMU facts of two profiles (whitelists, drivers, modules, tools enforcement); exit 1 when they differ',
    )
    .argument('<profile-a>', 'bundled profile name or profile file')
    .argument('<profile-b>', 'bundled profile name or profile file')
    .option('--json', 'print JSON (--format json)')
    .addOption(formatOption(COMPARISON_FORMATS))
    .action(async (a: string, b: string, options: { format?: string; json?: boolean }) =>
      (await import('./diff.js')).runDiff(a, b, options),
    );

  program
    .command('completion')
    .description(
      'print the shell completion script: eval "$(blockgate completion bash)", or put it where your shell loads completions',
    )
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action(async (shell: 'bash' | 'zsh') => {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(program, shell));
    });

  return program;
}
