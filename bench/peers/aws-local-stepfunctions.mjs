// aws-local-stepfunctions (npm), in process: each workload's executions started at once and
// awaited with Promise.all (the library runs them on Node's one event loop), every output
// checked against the same expectations as bench/peers/workloads.py, one JSON record per workload.
//
// usage: node aws-local-stepfunctions.mjs MODULE_DIR OUT.json [--quick] [--runs N]
//   MODULE_DIR: the npm prefix's node_modules/aws-local-stepfunctions (imported by absolute path,
//   because ESM ignores NODE_PATH).
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const [moduleDir, outFile, ...flags] = process.argv.slice(2);
const quick = flags.includes('--quick');
// --runs N: timed runs of each workload after the warm-up (bench/run passes Fluxo's --scale).
const runsFlag = flags.indexOf('--runs');
const runs = runsFlag >= 0 ? Math.max(1, Number(flags[runsFlag + 1])) : 1;
const pkg = JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8'));
const { StateMachine } = await import(pathToFileURL(join(moduleDir, 'build', 'main.node.esm.js')).href);

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'workloads');
const specs = JSON.parse(readFileSync(join(dir, 'workloads.json'), 'utf8'));

// Same sizes as workloads.py (quick: those of `fluxo-bench --smoke`).
function sized(id, spec) {
  let input = spec.input;
  if (id === 'W2') input = { items: Array.from({ length: quick ? 100 : 10000 }, (_, i) => i) };
  else if (id === 'W3' && quick) input = { limit: 50 };
  const executions = quick ? Math.min(spec.executions, 10) : spec.executions;
  return [input, executions];
}

function check(id, input, output, spec) {
  if (id === 'W2') {
    const r = output?.results;
    if (!Array.isArray(r) || r.length !== input.items.length) return 'W2: wrong results length';
    for (let i = 0; i < r.length; i++) if (r[i] !== 2 * i) return `W2: results[${i}] = ${JSON.stringify(r[i])}`;
    return null;
  }
  if (id === 'W3') {
    const want = { counter: input.limit, limit: input.limit };
    return isDeepStrictEqual(output, want) ? null : `W3: ${JSON.stringify(output).slice(0, 200)}`;
  }
  if (id === 'W4') {
    const out = output?.out;
    if (!Array.isArray(out) || out.length !== 10) return `W4: ${JSON.stringify(output).slice(0, 200)}`;
    for (let b = 0; b < 10; b++)
      if (!isDeepStrictEqual(out[b], { branch: b, steps: 5 })) return `W4: out[${b}] = ${JSON.stringify(out[b])}`;
    return null;
  }
  return isDeepStrictEqual(output, spec.expected_output) ? null : `${id}: ${JSON.stringify(output).slice(0, 200)}`;
}

const records = [];
for (const id of Object.keys(specs).sort()) {
  const spec = specs[id];
  const definition = JSON.parse(readFileSync(join(dir, spec.definition), 'utf8'));
  const [input, executions] = sized(id, spec);
  // Built once per workload (it validates the definition), as a server would keep it.
  const machine = new StateMachine(definition);
  // Each run() gets its own copy of the input, like a request body parsed per execution.
  const once = () =>
    Promise.all(Array.from({ length: executions }, () => machine.run(structuredClone(input)).result));
  let outputs, error = null, seconds = 0;
  try {
    // One untimed run first (the JIT's warm-up), then `runs` timed runs one after another, as
    // `fluxo-bench --scale` does for Fluxo.
    await once();
    for (let run = 0; run < runs; run++) {
      const started = process.hrtime.bigint();
      outputs = await once();
      seconds += Number(process.hrtime.bigint() - started) / 1e9;
      if (!error) for (const o of outputs) if ((error = check(id, input, o, spec))) break;
    }
  } catch (e) {
    error = `failed: ${e?.name ?? ''} ${e?.message ?? e}`;
  }
  // One-execution workloads report the mean time of one run; the others a rate over all runs.
  if (executions === 1) seconds /= runs;
  const counted = executions === 1 ? 1 : executions * runs;
  const record = {
    engine: 'aws-local-stepfunctions', mode: 'in-process', workload: id, executions: counted,
    seconds, per_second: counted / seconds, checked: !error, p50_ms: null, p99_ms: null,
    note: error ? `wrong output: ${error}`
      : `v${pkg.version}, node ${process.version}, Promise.all, warm-up run then ${runs} timed`,
  };
  console.log(`${id}: ${counted} executions in ${seconds.toFixed(3)} s = ${record.per_second.toFixed(1)}/s${error ? '  WRONG: ' + error : ''}`);
  records.push(record);
}
// Append to the suite's JSON array (created if missing).
const all = existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')) : [];
writeFileSync(outFile, JSON.stringify(all.concat(records), null, 1));
