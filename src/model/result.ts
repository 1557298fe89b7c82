import type { Access, Drive, Plan } from './node.js';
import type { Finding, Layer } from '../findings/finding.js';

export type Verdict = 'opens' | 'opens-read-only' | 'fails';

export interface NodeResult {
  id: string;
  driver: string;
  role: string;
  filename?: string;
  /** Access the node asked for. */
  requested: Access;
  /** Access it ends up with (auto-read-only may lower it); undefined when it fails. */
  access?: Access;
  verdict: 'opens' | 'fails' | 'not-reached';
  /** The layer that decided: the first that refused, or "whitelist" (the last check) when all passed. */
  decidedBy: Layer;
}

export interface DriveResult {
  drive: Drive;
  verdict: Verdict;
  nodes: NodeResult[];
  findings: Finding[];
}

export interface CheckResult {
  plan: Plan;
  profile: string;
  verdict: Verdict;
  drives: DriveResult[];
  /** What the real program prints on stderr, in order, exactly. */
  messages: string[];
  findings: Finding[];
}
