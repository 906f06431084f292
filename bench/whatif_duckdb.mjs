// DuckDB doing columnar_bench's what-if in one GROUP BY query: the rule with the income limit
// raised from 10,000 to 12,000 against the baseline rule, per county (first 6 characters of
// the region code), with the persons entering and leaving. Uses the peers' installed DuckDB
// (../shared/bench/run_peers.sh installs it into $TONGBAN_PEERS_DIR, default
// ~/.cache/tongban-peers); nothing is installed here.
// Usage: node bench/whatif_duckdb.mjs POPULATION.csv [threads=2] [reps=5]
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const peers = process.env.TONGBAN_PEERS_DIR || path.join(os.homedir(), '.cache', 'tongban-peers');
const require = createRequire(path.join(peers, 'package.json'));
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'));

const [file, threads = '2', reps = '5'] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRows();
await rows(`SET threads=${Number(threads)}`);
await rows(`CREATE TABLE person AS SELECT * FROM read_csv('${file}', header=true,
  columns={'id':'BIGINT','age':'INTEGER','disability_level':'INTEGER','region':'VARCHAR','income':'INTEGER','receiving':'BOOLEAN'})`);
const n = Number((await rows('SELECT count(*) FROM person'))[0][0]);

// The same scenarios as bench/columnar_bench.cc (the file has no nulls, so SQL's NOT and
// FEEL's not() agree).
const scenarios = [
  { name: 'county rule', where: "age >= 16 AND disability_level IN (1, 2) AND region LIKE '431128%' AND NOT receiving" },
  { name: 'province rule', where: 'age >= 16 AND disability_level IN (1, 2) AND NOT receiving' },
];
for (const s of scenarios) {
  const base = `(${s.where} AND income < 10000)`;
  const changed = `(${s.where} AND income < 12000)`;
  const sql = `SELECT substr(region, 1, 6) AS county,
      count(*) FILTER (WHERE ${changed}) AS matches,
      count(*) FILTER (WHERE ${base}) AS baseline,
      count(*) FILTER (WHERE ${changed} AND NOT ${base}) AS entering,
      count(*) FILTER (WHERE ${base} AND NOT ${changed}) AS leaving
    FROM person WHERE ${changed} OR ${base} GROUP BY county ORDER BY county`;
  await rows(sql);
  const times = [];
  let result = [];
  for (let r = 0; r < Number(reps); r++) {
    const t = performance.now();
    result = await rows(sql);
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  const sum = (i) => result.reduce((a, row) => a + Number(row[i]), 0);
  const seconds = times[times.length >> 1];
  console.log(JSON.stringify({
    peer: 'duckdb', what: `what-if ${s.name}: count per county + delta, ${threads} thread(s)`,
    threads: Number(threads), rows: n, seconds: +seconds.toFixed(6), per_s: Math.round(n / seconds),
    matches: sum(1), baseline: sum(2), entering: sum(3), leaving: sum(4), groups: result.length,
    min_seconds: +times[0].toFixed(6), max_seconds: +times[times.length - 1].toFixed(6),
  }));
  for (const row of result.slice(0, 3)) {
    console.error(`  ${s.name} ${row[0]}: ${row[1]} matches, ${row[2]} baseline, +${row[3]} -${row[4]}`);
  }
}
