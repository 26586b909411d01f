/**
 * `npm run fuzz`: generated inputs through every parser that reads what a
 * page, a site or a pasted link hands the wallet, and through the payers end
 * to end. Fails (exit 1) on any crash (anything thrown but a SatnavError, a
 * success that breaks the parser's promise, an input still running after
 * 5 s, or a stuck process) and on any payment.
 *
 *   FUZZ_RUNS   inputs in all (default 1,000,000; 20,000 is a quick run)
 *   FUZZ_SEED   the seed (default: new each run, always printed)
 *   FUZZ_REPLAY <target>:<index>[-<index>] runs those inputs alone (up to 10 of them printed)
 *
 * Then the budget engine's properties at 10,000 runs each (SATNAV_PROPERTY_RUNS;
 * `npm test` runs them at 1,000): skipped with FUZZ_PROPERTIES=0.
 */
import { fork, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Crash, TargetCount, ToParent } from './work.ts';

const total = Number(process.env.FUZZ_RUNS ?? 1_000_000);
const seed = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);
const replay = process.env.FUZZ_REPLAY;
if (!Number.isSafeInteger(total) || total < 1 || !Number.isSafeInteger(seed)) {
  console.error('fuzz: FUZZ_RUNS must be a positive whole number and FUZZ_SEED a whole number');
  process.exit(2);
}
/** Silence this long means a parser is stuck in a loop (work.ts reports inputs slower than 5 s itself). */
const STUCK_MS = 60_000;

console.log(`satnav fuzz: seed ${seed}, ${replay ? `replay ${replay}` : `${total.toLocaleString('en')} inputs`} (FUZZ_SEED=${seed} repeats this run)`);
const started = performance.now();
const counts: TargetCount[] = [];
const crashes: Crash[] = [];
let control: Record<string, number> | undefined;
let at = 'start';
let done = false;
/** Crashes the child could not count itself: stuck, or dead. */
let lost = 0;

const child = fork(fileURLToPath(new URL('./work.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_RUNS: String(total) },
});
let lastBeat = performance.now();
const watchdog = setInterval(() => {
  if (performance.now() - lastBeat < STUCK_MS) return;
  lost++;
  crashes.push({ target: at.split(':')[0] ?? at, index: Number(at.split(':')[1] ?? 0), kind: 'hang', error: `no progress for ${STUCK_MS / 1000} s at or after ${at}`, input: '(see FUZZ_REPLAY)' });
  lastBeat = Infinity;
  child.kill('SIGKILL');
}, 1_000);

child.on('message', (m: ToParent) => {
  lastBeat = performance.now();
  if (m.type === 'control') control = m.paid;
  else if (m.type === 'at') at = `${m.target}:${m.index}`;
  else if (m.type === 'target') {
    counts.push(m.count);
    crashes.push(...m.crashes);
    at = `${m.count.name}:${m.count.inputs}`;
    const c = m.count;
    console.log(`  ${c.name.padEnd(20)} ${String(c.inputs).padStart(9)} inputs  ${(c.ms / 1000).toFixed(1).padStart(6)} s`);
  } else done = true;
});

const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
clearInterval(watchdog);
const seconds = (performance.now() - started) / 1000;
if (!done && lost === 0) {
  lost++;
  crashes.push({ target: at.split(':')[0] ?? at, index: Number(at.split(':')[1] ?? 0), kind: 'crash', error: `the fuzz process died (exit ${exitCode}) at or after ${at}`, input: '(see FUZZ_REPLAY)' });
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log('');
console.log(`${'family'.padEnd(15)}${'target'.padEnd(20)}${pad('inputs', 10)}${pad('accepted', 10)}${pad('refused', 10)}${pad('crashes', 9)}${pad('payments', 10)}${pad('budget', 8)}${pad('s', 7)}`);
for (const c of counts)
  console.log(
    `${c.family.padEnd(15)}${c.name.padEnd(20)}${pad(c.inputs, 10)}${pad(c.accepted, 10)}${pad(c.refused, 10)}${pad(c.crashes, 9)}${pad(c.payments, 10)}${pad(c.name.startsWith('payer') ? c.deep : '', 8)}${pad((c.ms / 1000).toFixed(1), 7)}`,
  );
const families = new Map<string, number>();
for (const c of counts) families.set(c.family, (families.get(c.family) ?? 0) + c.inputs);
const inputs = counts.reduce((n, c) => n + c.inputs, 0);
const crashCount = counts.reduce((n, c) => n + c.crashes, 0) + lost;
const payments = counts.reduce((n, c) => n + c.payments, 0);
console.log('');
console.log(`per family: ${[...families].map(([f, n]) => `${f} ${n.toLocaleString('en')}`).join(', ')}`);
console.log('budget: payer inputs that got as far as the budget check (and were refused there, or by the person)');
if (control) console.log(`control (seeds, where the person says yes): ${Object.entries(control).map(([k, v]) => `${k} paid ${v}`).join(', ')}`);
for (const c of crashes) console.log(`\n${c.kind.toUpperCase()} ${c.target}:${c.index}  (FUZZ_SEED=${seed} FUZZ_REPLAY=${c.target}:${c.index})\n  ${c.error.replace(/\n/g, '\n  ')}\n  input: ${c.input}`);
const controlOk = replay !== undefined || (control !== undefined && Object.values(control).every((n) => n === 1));
console.log(`\ntotal: ${inputs.toLocaleString('en')} inputs, ${crashCount} crashes, ${payments} payments, ${seconds.toFixed(1)} s, seed ${seed}`);
if (!controlOk) console.log('control failed: a seed that must pay did not reach the node once, so the payment count proves nothing');

let propertiesOk = true;
if (!replay && process.env.FUZZ_PROPERTIES !== '0') {
  const runs = process.env.SATNAV_PROPERTY_RUNS ?? '10000';
  console.log(`\nbudget engine properties at ${runs} runs each:`);
  const r = spawnSync('npx', ['vitest', 'run', 'src/policy/budget.property.test.ts'], { stdio: 'inherit', env: { ...process.env, SATNAV_PROPERTY_RUNS: runs } });
  propertiesOk = r.status === 0;
}
process.exit(crashCount === 0 && payments === 0 && controlOk && propertiesOk ? 0 : 1);
