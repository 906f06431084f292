// Side by side with bpmn-engine: every model of bpmn-engine's own tests that `tongban bpmn check`
// accepts runs through `tongban bpmn run` and, in this one node process, through bpmn-engine
// under the same policy: user and manual tasks are signalled as soon as they wait, and timers
// fire in due order on a virtual clock whenever nothing else can move. Message waits are left
// waiting, as `bpmn run` leaves them.
//
// "Same path" means: the same multiset of completed flow node ids (a node that completes twice
// counts twice), and the same end (tongban exit 0 <=> bpmn-engine ended). A multi-instance
// activity counts once: tongban lists each inner instance and then the activity, bpmn-engine
// only the activity (its iterations emit no end of their own). The order is printed
// but not compared: two parallel branches may legitimately interleave differently. A file whose
// paths differ fails the test unless known-differences.json names it with the reason.
//
// Usage: node run.mjs TONGBAN NODE_DIR [MODELS_DIR...]
//   MODELS_DIR defaults to bpmn-engine's test models ($TONGBAN_SHARED_DIR/tck/bpmn/bpmn-engine),
//   then our own (models/ here: semantics both engines share without JavaScript: escalation,
//   errors, timers, event gateways, multi-instance, terminate).
//   NODE_DIR holds node_modules with bpmn-engine (scripts/lib/bpmn_engine.sh installs it).
// Exit 0 when every file agrees (or differs as known), 1 otherwise, 77 (skip) without bpmn-engine.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EventEmitter } from 'node:events';

const here = dirname(fileURLToPath(import.meta.url));
const [tongban, nodeDir, ...modelDirs] = process.argv.slice(2);
if (!tongban || !nodeDir) {
  console.error('usage: node run.mjs TONGBAN NODE_DIR [MODELS_DIR...]');
  process.exit(1);
}
if (modelDirs.length === 0) {
  const shared = process.env.TONGBAN_SHARED_DIR;
  const suite = shared && join(shared, 'tck/bpmn/bpmn-engine');
  if (!suite || !existsSync(suite)) {
    console.error(`bpmn-engine's models are missing: TONGBAN_SHARED_DIR=${shared}`);
    process.exit(1);
  }
  modelDirs.push(suite, join(here, 'models'));
}
const modules = join(nodeDir, 'node_modules');
if (!existsSync(join(modules, 'bpmn-engine'))) {
  console.error(`bpmn-engine is not installed in ${modules}: run scripts/test, or ` +
    `source scripts/lib/common.sh; source scripts/lib/bpmn_engine.sh; bpmn_engine_install BUILD_DIR`);
  process.exit(77);
}
const { Engine } = await import(pathToFileURL(join(modules, 'bpmn-engine/src/index.js')));
const { Timers } = await import(pathToFileURL(join(modules, 'bpmn-elements/src/index.js')));
const known = JSON.parse(readFileSync(join(here, 'known-differences.json'), 'utf8'));

// tongban: exit code and completed node ids (stdout, one per line).
function runTongban(file) {
  try {
    execFileSync(tongban, ['bpmn', 'check', file], { stdio: 'pipe' });
  } catch (e) {
    const first = String(e.stdout).split('\n').find((l) => l.startsWith('error:')) || '';
    return { refused: true, reason: first };
  }
  let stdout = '', code = 0;
  try {
    stdout = execFileSync(tongban, ['bpmn', 'run', file], { stdio: 'pipe' }).toString();
  } catch (e) {
    stdout = String(e.stdout);
    code = e.status;
  }
  const completed = stdout.split('\n').filter((l) => l && !l.includes(':') && !l.includes(' '));
  return { refused: false, code, completed };
}

// bpmn-engine under the same policy, on a virtual clock.
async function runBpmnEngine(file) {
  let now = 0, seq = 0;
  const pending = [];
  const timers = new Timers({
    setTimeout(fn, delay, ...args) {
      const ref = { due: now + Math.max(0, Number(delay) || 0), seq: seq++, fn, args };
      pending.push(ref);
      return ref;
    },
    clearTimeout(ref) {
      const i = pending.indexOf(ref);
      if (i >= 0) pending.splice(i, 1);
    },
  });
  const completed = [];
  const multiInstance = new Set();
  const listener = new EventEmitter();
  listener.on('activity.end', (api) => {
    completed.push(api.id);
    if (api.content && api.content.isMultiInstance) multiInstance.add(api.id);
  });
  listener.on('wait', (api) => {
    if (api.type === 'bpmn:UserTask' || api.type === 'bpmn:ManualTask') api.signal({});
  });
  const engine = new Engine({ name: file, source: readFileSync(file, 'utf8'), timers });
  let ended = false, error = null;
  engine.once('end', () => { ended = true; });
  engine.once('error', (e) => { error = e; });
  try {
    await engine.execute({ listener });
  } catch (e) {
    error = e;
  }
  for (let step = 0; step < 10000 && !ended && !error; step++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (ended || error || pending.length === 0) break;
    pending.sort((a, b) => a.due - b.due || a.seq - b.seq);
    const t = pending.shift();
    now = Math.max(now, t.due);
    t.fn(...t.args);
  }
  if (!ended) engine.stop();
  return { ended, error: error ? String(error.message || error) : null, completed, multiInstance };
}

function multiset(ids, once) {
  const m = new Map();
  for (const id of ids) m.set(id, once.has(id) ? 1 : (m.get(id) || 0) + 1);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, n]) => (n > 1 ? `${id}*${n}` : id)).join(' ');
}

let failures = 0;
const runs = [], refused = [];
const files = modelDirs.flatMap((dir) =>
  readdirSync(dir).filter((f) => f.endsWith('.bpmn')).sort().map((f) => join(dir, f)));
for (const file of files) {
  const name = file.slice(file.lastIndexOf('/', file.lastIndexOf('/') - 1) + 1);
  const ours = runTongban(file);
  if (ours.refused) {
    refused.push(`${name}: ${ours.reason}`);
    continue;
  }
  const theirs = await runBpmnEngine(file);
  const sameSet =
    multiset(ours.completed, theirs.multiInstance) === multiset(theirs.completed, theirs.multiInstance);
  const sameEnd = (ours.code === 0) === theirs.ended;
  const sameOrder = ours.completed.join(' ') === theirs.completed.join(' ');
  const agree = sameSet && sameEnd;
  const line = `${name}: tongban exit ${ours.code} [${ours.completed.join(' ')}]; ` +
    `bpmn-engine ${theirs.ended ? 'ended' : theirs.error ? `error ${theirs.error}` : 'waits'} ` +
    `[${theirs.completed.join(' ')}]`;
  if (agree) {
    runs.push(`same path${sameOrder ? ', same order' : ', order differs'}: ${line}`);
    if (known[name]) {
      console.log(`FAIL ${name} agrees now: remove it from known-differences.json`);
      failures++;
    }
  } else if (known[name]) {
    runs.push(`known difference (${known[name]}): ${line}`);
  } else {
    console.log(`FAIL ${line}`);
    failures++;
  }
}
console.log(`runs (${runs.length}):`);
for (const r of runs) console.log(`  ${r}`);
console.log(`refused by tongban bpmn check (${refused.length}), with the first element named:`);
for (const r of refused) console.log(`  ${r}`);
process.exit(failures ? 1 : 0);
