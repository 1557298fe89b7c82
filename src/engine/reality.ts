import type { CheckResult } from '../model/result.js';

/** What really happened when the program ran: from a trial open (host/trial-open.ts). */
export interface Reality {
  /** QMP came up: every drive opened and every device was realized. */
  started: boolean;
  stderr: string;
  /** query-named-block-nodes: each opened node's driver and read-only flag. */
  nodes: { driver: string; readOnly: boolean }[];
}

export interface Agreement {
  agree: boolean;
  /** One line per way the prediction and reality differ. */
  differences: string[];
  /** The run failed reaching a server: every layer blockgate judges had passed, so only the verdict is compared. */
  network: boolean;
}

/** Connection errors after the whitelist passed: curl's and nbd/ssh's wording in QEMU 7.2. */
// block/ssh.c connect_to_ssh prints "address resolution failed for HOST:PORT: ..." when the name does not resolve.
const NETWORK_FAILURE = /CURL: Error opening file|Failed to connect to '|address resolution failed for /;

/** Compares a prediction with a real run: exact stderr, the verdict, and every opened node's driver and access. */
export function compareWithReality(predicted: CheckResult, real: Reality): Agreement {
  const differences: string[] = [];
  if (NETWORK_FAILURE.test(real.stderr)) {
    if (predicted.verdict === 'fails')
      differences.push('predicted a failure before the connection, but QEMU got as far as connecting');
    return { agree: differences.length === 0, differences, network: true };
  }
  const lines = real.stderr.split('\n').filter((l) => l !== '');
  if (JSON.stringify(lines) !== JSON.stringify(predicted.messages)) {
    differences.push(`stderr differs: predicted ${JSON.stringify(predicted.messages)}, real ${JSON.stringify(lines)}`);
  }
  if ((predicted.verdict === 'fails') !== !real.started) {
    differences.push(`predicted ${predicted.verdict}, but QEMU ${real.started ? 'started' : 'refused to start'}`);
  }
  if (real.started) {
    const want = openedNodes(predicted);
    const got = real.nodes.map((n) => `${n.driver}:${n.readOnly ? 'ro' : 'rw'}`).sort();
    if (JSON.stringify(want) !== JSON.stringify(got))
      differences.push(`opened nodes differ: predicted ${want.join(' ')}, real ${got.join(' ')}`);
  }
  return { agree: differences.length === 0, differences, network: false };
}

export function openedNodes(predicted: CheckResult): string[] {
  return predicted.drives
    .flatMap((d) => d.nodes)
    .filter((n) => n.verdict === 'opens')
    .map((n) => `${n.driver}:${n.access}`)
    .sort();
}
