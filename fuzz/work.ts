/**
 * The fuzzing itself, in a child process of run.ts so that a parser stuck in
 * a loop can be stopped and reported. Tells run.ts where it is (a heartbeat),
 * then everything it counted.
 */
import { isSatnavError } from '../src/errors.ts';
import { makeWorld } from './payers.ts';
import { nameHash, Rng } from './rng.ts';
import { CONTROL_INPUTS, TARGETS, Wrong, type Target } from './targets.ts';

/** An input still running after this is a hang. */
const HANG_MS = 5_000;
const HEARTBEAT_MS = 250;

export interface Crash {
  target: string;
  index: number;
  /** A payment is counted apart from crashes; its input is kept the same way. */
  kind: 'crash' | 'wrong' | 'hang' | 'payment';
  error: string;
  input: string;
}

export interface TargetCount {
  name: string;
  family: string;
  inputs: number;
  accepted: number;
  refused: number;
  crashes: number;
  payments: number;
  /** Payer targets: inputs that reached the budget check. */
  deep: number;
  ms: number;
}

export type ToParent =
  | { type: 'control'; paid: Record<string, number> }
  | { type: 'at'; target: string; index: number }
  | { type: 'target'; count: TargetCount; crashes: Crash[] }
  | { type: 'done' };

const send = (m: ToParent) => process.send?.(m);

function preview(input: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? `Map(${v.size})` : v)) ?? String(input);
  } catch {
    s = String(input);
  }
  return s.length > 400 ? `${s.slice(0, 400)}… (${s.length} chars)` : s;
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.slice(0, 300)}${e.stack ? `\n${e.stack.split('\n').slice(1, 4).join('\n')}` : ''}`;
  return `thrown ${typeof e}: ${preview(e)}`;
}

let timer: ReturnType<typeof setTimeout> | undefined;
/** `p`, or a hang report once HANG_MS pass. */
function orHang(p: Promise<unknown>): Promise<unknown> {
  return Promise.race([
    p,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new HangError()), HANG_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}
class HangError extends Error {}

/** Each payer pays its unbent seed where the person says yes: the count must see it. */
async function control(): Promise<Record<string, number>> {
  const paid: Record<string, number> = {};
  const runs: Array<[string, (w: Awaited<ReturnType<typeof makeWorld>>) => Promise<unknown>]> = [
    ['payer-paywall', (w) => w.paywall.access(CONTROL_INPUTS.paywall)],
    ['payer-deposit', (w) => w.deposits.open(CONTROL_INPUTS.deposit)],
    ['payer-webln', (w) => w.webln.handle({ origin: CONTROL_INPUTS.paywall.ctx.origin }, CONTROL_INPUTS.webln.method, CONTROL_INPUTS.webln.params)],
  ];
  for (const [name, run] of runs) {
    const w = await makeWorld('control');
    // The node answers FAILED: the payer's own refusal after that is expected.
    await orHang(run(w)).catch((e: unknown) => {
      if (!isSatnavError(e)) throw e;
    });
    paid[name] = w.node.paid.length;
  }
  return paid;
}

async function fuzz(target: Target, seed: number, from: number, to: number): Promise<{ count: TargetCount; crashes: Crash[] }> {
  const count: TargetCount = { name: target.name, family: target.family, inputs: 0, accepted: 0, refused: 0, crashes: 0, payments: 0, deep: 0, ms: 0 };
  const crashes: Crash[] = [];
  const started = performance.now();
  let beat = started;
  let current = from;
  const crash = (kind: Crash['kind'], error: string, input: unknown) => {
    count.crashes++;
    if (crashes.length < 20) crashes.push({ target: target.name, index: current, kind, error, input: preview(input) });
  };
  // A promise nobody awaited that rejects with something else than a SatnavError is a crash too.
  const stray = (e: unknown) => {
    if (!isSatnavError(e)) crash('crash', `unhandled rejection: ${describe(e)}`, '(background work of an earlier input)');
  };
  process.on('unhandledRejection', stray);
  send({ type: 'at', target: target.name, index: from });
  for (let i = from; i < to; i++) {
    current = i;
    let input: unknown;
    try {
      input = target.make(new Rng(seed, nameHash(target.name), i));
    } catch (e) {
      // The harness's own fault, but the run must not pass with it.
      crash('crash', `generator: ${describe(e)}`, `${target.name}:${i}`);
      continue;
    }
    const t0 = performance.now();
    try {
      const out = target.run(input);
      if ((out instanceof Promise ? await orHang(out) : out) === false) count.refused++;
      else count.accepted++;
    } catch (e) {
      if (isSatnavError(e)) count.refused++;
      else if (e instanceof HangError) crash('hang', `no answer after ${HANG_MS} ms`, input);
      else crash(e instanceof Wrong ? 'wrong' : 'crash', describe(e), input);
    }
    if (performance.now() - t0 > HANG_MS) crash('hang', `took ${Math.round(performance.now() - t0)} ms`, input);
    count.inputs++;
    count.payments += target.payments?.() ?? 0;
    count.deep += target.deep?.() ?? 0;
    if ((target.payments?.() ?? 0) > 0 && crashes.length < 20) crashes.push({ target: target.name, index: i, kind: 'payment', error: 'the node was asked to pay', input: preview(input) });
    const now = performance.now();
    if (now - beat > HEARTBEAT_MS) {
      beat = now;
      send({ type: 'at', target: target.name, index: i });
      // Lets timers and stray rejections of earlier inputs run.
      await new Promise((r) => setImmediate(r));
    }
  }
  await new Promise((r) => setImmediate(r));
  process.off('unhandledRejection', stray);
  count.ms = performance.now() - started;
  return { count, crashes };
}

/** How many inputs each target gets out of `total`. */
function plan(total: number): Array<{ target: Target; inputs: number }> {
  const shares = TARGETS.reduce((n, t) => n + t.share, 0);
  return TARGETS.map((target) => ({ target, inputs: Math.max(1, Math.round((total * target.share) / shares)) }));
}

async function main(): Promise<void> {
  // The wallet logs each LNURL service it could not reach; a million inputs would bury the report.
  console.warn = () => undefined;
  const seed = Number(process.env.FUZZ_SEED);
  const total = Number(process.env.FUZZ_RUNS);
  const replay = process.env.FUZZ_REPLAY;
  if (replay) {
    // target:index, or target:from-to.
    const [name = '', span = '0'] = replay.split(':');
    const [from = 0, to = from] = span.split('-').map(Number);
    const target = TARGETS.find((t) => t.name === name);
    if (!target) throw new Error(`no target ${name}: ${TARGETS.map((t) => t.name).join(', ')}`);
    // A few inputs are shown; a long span is for re-running a target's share of a run.
    if (to - from < 10) for (let i = from; i <= to; i++) console.log(`${name}:${i}`, preview(target.make(new Rng(seed, nameHash(name), i))));
    const r = await fuzz(target, seed, from, to + 1);
    send({ type: 'target', ...r });
    send({ type: 'done' });
    return;
  }
  send({ type: 'control', paid: await control() });
  for (const { target, inputs } of plan(total)) send({ type: 'target', ...(await fuzz(target, seed, 0, inputs)) });
  send({ type: 'done' });
}

await main();
process.disconnect?.();
