// The differential test of tongban's FEEL interpreter against feelin (issue 4, item 4).
//
//   node tests/feelin/diff.mjs CORPUS.jsonl OUT_DIR NODE_MODULES_DIR
//
// CORPUS is written by feel_differential (src/feel/differential.h): one expression per line with
// its variables and tongban's result, both in typed JSON. This one process loads feelin, evaluates
// every expression, normalises feelin's result to the same typed form and compares. Every
// disagreement is put in the first class of CLASSES that matches it; one that matches none fails
// the test and is printed. OUT_DIR/disagreements.json receives the full list, OUT_DIR/summary.json
// the figures. The fixed SENTINELS must land in their classes, so the classification can fail.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [corpusFile, outDir, modulesDir] = process.argv.slice(2);
if (!corpusFile || !outDir || !modulesDir) {
  console.error('usage: node diff.mjs CORPUS.jsonl OUT_DIR NODE_MODULES_DIR');
  process.exit(2);
}
// feelin is installed outside the source tree (build/ or a cache): resolve it from there.
const require = createRequire(join(resolve(modulesDir), 'package.json'));
const feelinPackage = JSON.parse(readFileSync(require.resolve('feelin/package.json'), 'utf8'));
const feelin = await import(pathToFileURL(require.resolve('feelin')).href);
const { evaluate, unaryTest, parseDate, parseTime, parseDateTime, duration, isRange, isFunction,
  FeelDate, FeelTime, FeelDateTime, FeelDuration } = feelin;
const isDate = (v) => v instanceof FeelDate;
const isTime = (v) => v instanceof FeelTime;
const isDateTime = (v) => v instanceof FeelDateTime;
const isDuration = (v) => v instanceof FeelDuration;
if (feelinPackage.version !== '8.2.0') {
  console.error(`feelin ${feelinPackage.version} installed, the test pins 8.2.0`);
  process.exit(1);
}

// typed JSON (as tongban writes it) -> the JS value feelin takes as a variable.
function toFeelin(t) {
  switch (t.type) {
    case 'null': return null;
    case 'boolean': case 'string': return t.value;
    case 'number': return Number(t.value);
    case 'date': return parseDate(t.value);
    case 'time': return parseTime(t.value);
    case 'date and time': return parseDateTime(t.value);
    case 'days and time duration': case 'years and months duration': return duration(t.value);
    case 'list': return t.items.map(toFeelin);
    case 'context': return Object.fromEntries(Object.entries(t.entries).map(([k, v]) => [k, toFeelin(v)]));
    default: throw new Error(`cannot pass a ${t.type} to feelin`);
  }
}

// feelin's result -> typed JSON. Numbers stay JS numbers (value is a number, not a string).
function typed(v) {
  if (v === null || v === undefined) return { type: 'null' };
  if (typeof v === 'boolean') return { type: 'boolean', value: v };
  if (typeof v === 'number') return Number.isFinite(v) ? { type: 'number', value: v } : { type: 'non-finite', value: String(v) };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (isDate(v)) return { type: 'date', value: v.iso };
  if (isTime(v)) return { type: 'time', value: v.iso };
  if (isDateTime(v)) return { type: 'date and time', value: v.iso };
  if (isDuration(v)) return { type: v.yearsMonths ? 'years and months duration' : 'days and time duration', value: v.iso };
  if (isRange(v)) {
    return { type: 'range', start: typed(v.start), end: typed(v.end),
      'start included': v['start included'], 'end included': v['end included'] };
  }
  if (typeof v === 'function' || isFunction(v)) return { type: 'function' };
  if (Array.isArray(v)) return { type: 'list', items: v.map(typed) };
  if (typeof v === 'object') {
    return { type: 'context', entries: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typed(x)])) };
  }
  return { type: 'unknown', value: String(v) };
}

// `context['?']` set: a unary test (a decision table's input entry) of that input.
function runFeelin(expression, context) {
  try {
    const r = '?' in context ? unaryTest(expression, context) : evaluate(expression, context);
    return { result: typed(r.value), warnings: (r.warnings || []).map((w) => w.message) };
  } catch (e) {
    return { result: { type: 'error', message: String(e.message || e).split('\n')[0] }, warnings: [] };
  }
}

// Equality of a tongban result `t` and a feelin result `f`. Numbers: feelin's double must be the
// double nearest to tongban's decimal (the best a binary number can do). With `tolerance`,
// numbers within a relative 1e-9 agree too, also inside strings written from numbers.
function same(t, f, tolerance = false) {
  if (t.type === 'error' && f.type === 'error') return true;
  if (t.type !== f.type) return false;
  switch (t.type) {
    case 'null': case 'function': return true;
    case 'number': return Number(t.value) === f.value || (tolerance && near(Number(t.value), f.value));
    case 'string':
      return t.value === f.value || (tolerance && t.value !== '' && !isNaN(Number(t.value)) &&
        !isNaN(Number(f.value)) && near(Number(t.value), Number(f.value)));
    case 'list':
      return t.items.length === f.items.length && t.items.every((x, i) => same(x, f.items[i], tolerance));
    case 'context': {
      const tk = Object.keys(t.entries).sort();
      const fk = Object.keys(f.entries).sort();
      return tk.length === fk.length && tk.every((k, i) => k === fk[i] && same(t.entries[k], f.entries[k], tolerance));
    }
    case 'range':
      return same(t.start, f.start, tolerance) && same(t.end, f.end, tolerance) &&
        t['start included'] === f['start included'] && t['end included'] === f['end included'];
    default: return t.value === f.value;
  }
}
function near(a, b) {
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}
// Whether a binary double can be inexact for this text: a decimal literal or variable, a
// division, a negative power, a rounding or a transcendental function (rounding to a scale
// multiplies by a power of ten). Integers below 2**53 are exact in a
// double, so a difference there is a real one, not a rounding.
const mayBeInexact = (text) =>
  /\d\.\d|\/|income|sqrt|log\(|exp\(|mean|stddev|median|\*\* ?-|round|ceiling|floor|decimal\(/.test(text);
const beyondDouble = (t) => contains(t, (x) => (x.type === 'number' || x.type === 'string') &&
  x.value !== '' && Math.abs(Number(x.value)) > 2 ** 53);
const contains = (t, pred) => pred(t) || (t.items || []).some((x) => contains(x, pred)) ||
  Object.values(t.entries || {}).some((x) => contains(x, pred));

// Each `x in TEST` wrapped in parentheses: what the DMN grammar means. If feelin then agrees, its
// parse of the unparenthesised text was the defect. TEST is a bracketed list, range or list of
// tests (brackets counted, a range's `)` or `[` closing what `[` or `]` opened), or `< 5`.
function parenthesiseIn(text) {
  let out = text;
  for (let at = out.indexOf(' in '); at >= 0; at = out.indexOf(' in ', at + 6)) {
    const left = /(?:monthly income|[\w.]+|-?\d+(?:\.\d+)?)$/.exec(out.slice(0, at));
    if (!left) continue;
    let end = at + 4;
    const range = /^[\[\]()]-?[\d.]+\.\.-?[\d.]+[\[\]()]/.exec(out.slice(end));
    if (range) {
      end += range[0].length;
    } else if ('[(]'.includes(out[end])) {
      let depth = 0;
      do {
        const ch = out[end];
        if (ch === '[' || ch === '(' || (ch === ']' && depth === 0)) depth++;
        else if (ch === ']' || ch === ')') depth--;
        end++;
      } while (depth > 0 && end < out.length);
      if (depth > 0) continue;
    } else {
      const test = /^[<>]=? ?-?\d+(?:\.\d+)?/.exec(out.slice(end));
      if (!test) continue;
      end += test[0].length;
    }
    out = `${out.slice(0, left.index)}(${out.slice(left.index, end)})${out.slice(end)}`;
    at = end + 2;
  }
  return out;
}
// Whether feelin, given `text` (the expression rewritten to what the spec means), changes its
// answer and then agrees with tongban: the rewrite isolates the defect.
function feelinAgreesWith(c, text) {
  if (text === c.expression) return false;
  const r = runFeelin(text, c.context).result;
  return !same(r, c.feelin) && same(c.tongban, r, true);
}
const warned = (c, re) => c.feelinWarnings.some((w) => re.test(w));
const numbers = (c) => c.tongban.type === 'number' && c.feelin.type === 'number';
const decimals = (x) => (String(x).split('.')[1] || '').length;

// Whole months from date `a` to date `b` (ISO texts), truncated towards zero: what
// years and months duration(a, b) means (§10.3.4.1).
function wholeMonths(a, b) {
  const [ya, ma, da] = a.split('-').map(Number);
  const [yb, mb, db] = b.split('-').map(Number);
  let n = (yb - ya) * 12 + (mb - ma);
  if (n > 0 && db < da) n--;
  if (n < 0 && db > da) n++;
  return n;
}
// The months of a years and months duration text such as -P4Y10M.
function months(iso) {
  const m = /^(-?)P(?:(\d+)Y)?(?:(\d+)M)?$/.exec(iso);
  return m ? (m[1] ? -1 : 1) * (Number(m[2] || 0) * 12 + Number(m[3] || 0)) : NaN;
}

// Whether `operand` (a name or a literal of the text) is null for this case.

// Named classes of disagreement, first match wins. owner: whose defect it is per the spec text
// (feelin or tongban), or 'open' where the spec leaves it undecided. Sections are those of
// DMN 1.5 (formal/24-01-01) clause 10; each was checked against the specification's text.
const CLASSES = [
  {
    name: 'feelin-precedence-in',
    owner: 'feelin',
    section: '§10.3.1.2 grammar rules 2 and 49.c/d, precedence by the order of rule 2: `in` (comparison) binds tighter than `and`/`or`',
    description: '`x in [1, 2] and y` parsed as `x in ([1, 2] and y)`; with the `in` test parenthesised feelin agrees',
    match: (c) => /\b(and|or)\b/.test(c.expression) && feelinAgreesWith(c, parenthesiseIn(c.expression)),
  },
  {
    name: 'feelin-if-truthy',
    owner: 'feelin',
    section: '§10.3.2.15 rule 45: `if e1 then e2 else e3` is e2 only if e1 is true, else e3',
    description: 'a non-boolean condition (1) takes the then branch; with `(cond) = true` feelin agrees',
    match: (c) => /^if /.test(c.expression) &&
      feelinAgreesWith(c, c.expression.replace(/^if (.*?) then /, 'if ($1) = true then ')),
  },
  {
    name: 'feelin-ym-duration-days',
    owner: 'feelin',
    section: '§10.3.4.1 years and months duration(from, to) (example P1Y8M) and §10.3.2.3.8: a years and months duration is years and months only',
    description: 'years and months duration(from, to) keeps the days of the difference (P1Y1M14D instead of P1Y1M), or rounds a month up (P4Y11M for 2020-09-06 to 2025-08-05); tongban\'s answer is checked against the whole months computed here',
    match: (c) => {
      const m = /^years and months duration\((.*)\)$/.exec(c.expression);
      if (!m || c.tongban.type !== 'years and months duration') return false;
      const args = runFeelin(`[${m[1]}]`, c.context).result;
      if (args.type !== 'list' || args.items.length !== 2 || !args.items.every((x) => x.type === 'date')) return false;
      return wholeMonths(args.items[0].value, args.items[1].value) === months(c.tongban.value);
    },
  },
  {
    name: 'feelin-binary-float',
    owner: 'feelin',
    section: '§10.3.2.3.1 number: IEEE 754-2008 Decimal128, 34 decimal digits',
    description: 'a result computed in binary floating point (0.1 + 0.2 = 0.30000000000000004), within 1e-12 of the decimal result',
    match: (c) => (mayBeInexact(c.expression) || beyondDouble(c.tongban)) && same(c.tongban, c.feelin, true),
  },
  {
    name: 'feelin-binary-float-rounding',
    owner: 'feelin',
    section: '§10.3.2.3.1 number (Decimal128) and §10.3.4.5 rounding functions',
    description: 'a binary value just below or above a decimal one rounds or compares the other way: ceiling(16.10, 2) = 16.11, 0.1 * 3 = 0.3 is false',
    match: (c) => (numbers(c) && /(ceiling|floor|round up|round down|round half up|round half down|decimal)\(/.test(c.expression) &&
        Math.abs(Number(c.tongban.value) - c.feelin.value) <= 1.0000001 * 10 ** -Math.max(decimals(c.tongban.value), decimals(c.feelin.value))) ||
      (c.tongban.type === 'boolean' && c.feelin.type === 'boolean' && /\d\.\d|income/.test(c.expression) &&
        /[*/]|\+ [\d(]|- [\d(]/.test(c.expression) && /[<>=]/.test(c.expression)),
  },
  {
    name: 'feelin-quantifier-null',
    owner: 'feelin',
    section: '§10.3.2.15 rule 46: `some` is `false or e(x1) or ...`, `every` is `true and e(x1) and ...` (ternary logic, §10.3.2.4)',
    description: 'a null among the tested items gives false instead of null',
    match: (c) => /\b(some|every) \w+ in /.test(c.expression) && c.tongban.type === 'null' && c.feelin.type === 'boolean',
  },
  {
    name: 'feelin-for-range-to-zero',
    owner: 'feelin',
    section: '§10.3.2.14 for loop expression: an iteration context a..b is the integers from a to b, up or down (e.g. 50..40)',
    description: '`for i in 3..0` and `for i in -1..0` are null (a range ending at 0 is taken for no range; 3..1 and 0..2 work)',
    match: (c) => /for \w+ in -?\d+\.\.0\b/.test(c.expression) && c.feelin.type === 'null' && c.tongban.type === 'list',
  },
  {
    name: 'feelin-duration-times-number',
    owner: 'feelin',
    section: '§10.3.2.15 Table 59 (specific semantics of multiplication and division): duration * number and duration / number are durations',
    description: 'multiplying or dividing a duration by a number is null',
    match: (c) => c.feelin.type === 'null' && warned(c, /Can't (multiply|divide)/) && /duration/.test(c.tongban.type),
  },
  {
    name: 'feelin-compare-duration-kinds',
    owner: 'feelin',
    section: '§10.3.2.15 rule 49.a: both operands of = and < must be of the same datatype; years and months and days and time durations are different datatypes (§10.3.2.3.7, §10.3.2.3.8)',
    description: 'duration("P1Y") < duration("P1D") compares instead of being null',
    match: (c) => c.tongban.type === 'null' && c.feelin.type === 'boolean' &&
      /(years and months|days and time) duration (with|and) (years and months|days and time) duration/.test(c.tongbanWarning || ''),
  },
  {
    name: 'feelin-order-of-booleans-throws',
    owner: 'feelin',
    section: '§10.3.2.15 rule 49.a and Table 54: < is defined for numbers, strings, temporals and durations only; otherwise null',
    description: '`true < false` or `null > true` throws "unsupported range" out of evaluate() instead of returning null',
    match: (c) => c.feelin.type === 'error' && /unsupported range/.test(c.feelin.message) && c.tongban.type === 'null',
  },
  {
    name: 'feelin-list-position',
    owner: 'feelin',
    section: '§10.3.4.4 list functions, notes 1 and 2: a position is a non-zero integer in [-L..L], negative from the end; a length is in [1..E]',
    description: 'remove/insert before/sublist/list replace with a negative, zero or too large position or length: wrong element, duplicated items, or a list instead of null',
    match: (c) => /^(remove|insert before|sublist|list replace)\(/.test(c.expression) && !/function/.test(c.expression),
  },
  {
    name: 'feelin-substring-position',
    owner: 'feelin',
    section: '§10.3.4.3 string functions, note 1: start position is a non-zero integer in [-L..L]',
    description: 'substring with start position 0 or beyond the string is "" or a character instead of null',
    match: (c) => /substring\(/.test(c.expression) && c.tongban.type === 'null' && c.feelin.type === 'string' &&
      /start position out of range/.test(c.tongbanWarning || ''),
  },
  {
    name: 'feelin-range-relation-functions',
    owner: 'feelin',
    section: '§10.3.4.7 range functions',
    description: 'during, starts, finishes, coincides, started by, finished by, overlaps before fail with "Cannot invoke \'function()\'" (before, after, meets, overlaps, includes work)',
    match: (c) => c.feelin.type === 'null' && warned(c, /Cannot invoke 'function\(\)'/),
  },
  {
    name: 'feelin-no-range-function',
    owner: 'feelin',
    section: '§10.3.4.1 conversion functions: range(from) (new in DMN 1.5)',
    description: 'range("[1..2)") is an unknown name',
    match: (c) => /\brange\(/.test(c.expression) && warned(c, /Variable 'range' not found/),
  },
  {
    name: 'feelin-date-from-non-date-string',
    owner: 'feelin',
    section: '§10.3.4.1 date(from): from is a date string, the lexical space of XML Schema date',
    description: 'date("2026-11-26T10:00:00") and date("20261126") are dates instead of null',
    match: (c) => /date\("/.test(c.expression) && c.tongban.type === 'null' && /is not a date/.test(c.tongbanWarning || '') &&
      c.feelin.type === 'date',
  },
  {
    name: 'feelin-negative-year-throws',
    owner: 'feelin',
    section: '§10.3.2.3.5 date: the year is in [-999,999,999..999,999,999]',
    description: 'date("-0001-01-01") throws "not implemented: negative date"',
    match: (c) => c.feelin.type === 'error' && /negative date/.test(c.feelin.message),
  },
  {
    name: 'feelin-date-plus-time-duration',
    owner: 'feelin',
    section: '§10.3.2.15 Table 57 (addition and subtraction): date +/- days and time duration is a date',
    description: 'date - duration("PT90M") is a date and time',
    match: (c) => c.tongban.type === 'date' && c.feelin.type === 'date and time',
  },
  {
    name: 'feelin-median-mode-unsorted',
    owner: 'feelin',
    section: '§10.3.4.4 list functions: median is taken "after sorting the list", mode returns its numbers "in ascending order"',
    description: 'median of an unsorted list picks the wrong middle; mode keeps the order of first appearance',
    match: (c) => /\b(median|mode)\(/.test(c.expression),
  },
  {
    name: 'tongban-sort-without-precedes',
    owner: 'tongban',
    section: '§10.3.4.9 sort(list, precedes): precedes is not optional',
    description: 'tongban sorts `sort(list)` in ascending order (an extension, as the DMN TCK engines do); feelin answers null',
    match: (c) => /^sort\((\[[^\]]*\]|\w+)\)$/.test(c.expression) && c.feelin.type === 'null',
  },
  {
    name: 'feelin-between-unordered-bounds',
    owner: 'feelin',
    section: '§10.3.2.15 rule 49.b: `e1 between e2 and e3` is `e1 >= e2 and e1 <= e3`',
    description: '`13 between 17 and 0.5` is true: feelin accepts the bounds in either order',
    match: (c) => /\bbetween\b/.test(c.expression) && c.tongban.type === 'boolean' && c.feelin.type === 'boolean' &&
      feelinAgreesWith(c, c.expression.replace(/^(.*) between (.*) and (.*)$/, '$1 >= $2 and $1 <= $3')),
  },
  {
    name: 'feelin-range-unordered-bounds',
    owner: 'feelin',
    section: '§10.3.2.15 Table 55 (decision table syntax), rule 49.c: `e1 in [e2..e3]` is `e1 >= e2 and e1 <= e3`',
    description: 'the unary test [86..19] accepts 42: feelin takes the endpoints in either order; as comparisons feelin agrees',
    match: (c) => '?' in c.context && feelinAgreesWith(c, c.expression.replace(/^([\[\]()])(.+)\.\.(.+)([\[\]()])$/,
      (m, open, lo, hi, close) => `? ${open === '[' ? '>=' : '>'} ${lo} and ? ${close === ']' ? '<=' : '<'} ${hi}`)),
  },
  {
    name: 'feelin-unary-test-null-input',
    owner: 'feelin',
    section: '§10.3.2.15 Table 55 rule 49.c (`e1 in < e2` is `e1 < e2`) and rule 49.a: comparing null with a string is null',
    description: 'a null input against `> "B"` or `["A".."C"]` is false instead of null (no effect on a decision table: neither is true)',
    match: (c) => '?' in c.context && c.context['?'] === null && c.tongban.type === 'null' &&
      c.feelin.type === 'boolean' && c.feelin.value === false,
  },
  {
    name: 'feelin-regex-is-javascript',
    owner: 'feelin',
    section: '§10.3.4.3 string functions, note 2: patterns, replacements and flags follow XQuery 1.0 and XPath 2.0 Functions and Operators clause 7.6 (\\w is every character but punctuation, separators and others; $N of a missing group is "")',
    description: 'JavaScript regular expressions: \\w misses 李 and ü, $1 without a group stays literal',
    match: (c) => /^(replace|matches)\(/.test(c.expression) && /\\w|\$\d/.test(c.expression),
  },
  {
    name: 'open-split-empty-string',
    owner: 'open',
    section: '§10.3.4.3 split(string, delimiter) does not say; XPath fn:tokenize (which its pattern follows) gives the empty sequence for ""',
    description: 'split("", ",") is [] in tongban, [""] in feelin',
    match: (c) => /^split\("",/.test(c.expression),
  },
  {
    name: 'open-function-argument-null',
    owner: 'open',
    section: '§10.3.4.9 sort (precedes: a boolean function "defined on every pair", "be careful with nulls") and §10.3.4.4 list replace (match: a boolean function)',
    description: 'with a null item, x > y is null: tongban answers null (the function is outside its domain), feelin orders or replaces as if it were false',
    match: (c) => /^(sort|list replace)\(.*null.*function/.test(c.expression) && c.tongban.type === 'null' && c.feelin.type === 'list',
  },
  {
    name: 'feelin-is-across-types',
    owner: 'feelin',
    section: '§10.3.4.6 is(value1, value2): true if both are the same element of the semantic domain (example: is(date(...), time(...)) is false)',
    description: 'is() of values of different types is null instead of false',
    match: (c) => /^is\(/.test(c.expression) && c.tongban.type === 'boolean' && c.tongban.value === false && c.feelin.type === 'null',
  },
  {
    name: 'feelin-range-in-range',
    owner: 'feelin',
    section: '§10.3.2.15 Table 55 rule 49.c: `e1 in [e2..e3]` is `e1 >= e2 and e1 <= e3`, null for a range e1 (< is not defined on ranges, Table 54); includes(range, range) is the function for it',
    description: '(21..26] in [0..39[ is true or false: feelin reads it as includes()',
    match: (c) => /^[\[\]()][^ ]*\.\.[^ ]*[\[\]()] in /.test(c.expression) && c.tongban.type === 'null' && c.feelin.type === 'boolean',
  },
  {
    name: 'feelin-timezone-of-offset',
    owner: 'feelin',
    section: '§10.3.2.15 temporal properties: timezone is the IANA identifier, null when the value has none',
    description: 'date and time("...Z").timezone is "UTC", "...+08:00" gives "+08:00", instead of null',
    match: (c) => /\.timezone$/.test(c.expression) && c.tongban.type === 'null' && c.feelin.type === 'string',
  },
  {
    name: 'open-singleton-list-equality',
    owner: 'open',
    section: '§10.3.2.9.4 (from singleton list applies in filter, invocation and binding contexts) vs §10.3.2.15 rule 49.a (= needs the same datatype)',
    description: '[1] = 1: tongban null (different kinds), feelin true (unwraps the singleton)',
    match: (c) => c.tongban.type === 'null' && c.feelin.type === 'boolean' && /cannot compare list and/.test(c.tongbanWarning || ''),
  },
];

// Fixed expressions, with tongban's answer written here, and the class their disagreement must
// fall in (null: none, the test would fail): proof that the classification can fail.
const SENTINELS = [
  { expression: '1 in [1, 2] and true', tongban: { type: 'boolean', value: true }, class: 'feelin-precedence-in' },
  { expression: '0.1 + 0.2', tongban: { type: 'number', value: '0.3' }, class: 'feelin-binary-float' },
  { expression: 'years and months duration(date("2020-01-01"), date("2021-02-15"))',
    tongban: { type: 'years and months duration', value: 'P1Y1M' }, class: 'feelin-ym-duration-days' },
  // Wrong answers must stay unclassified, also where a loose float tolerance would hide them.
  { expression: '1 + 1', tongban: { type: 'number', value: '3' }, class: null },
  { expression: '176519548627022', tongban: { type: 'number', value: '176519548627023' }, class: null },
  { expression: 'if 1 > 0 then 1 else 2', tongban: { type: 'number', value: '2' }, class: null },
  { expression: '2 in [1, 2] and false', tongban: { type: 'boolean', value: true }, class: null },
  { expression: 'years and months duration(date("2020-01-01"), date("2021-02-15"))',
    tongban: { type: 'years and months duration', value: 'P1Y2M' }, class: null },
  // Fixed in tongban (DMN 1.5 §10.3.2.15 rule 49.c): the old answer must no longer be classified.
  { expression: 'null in [[48..58), 8]', tongban: { type: 'boolean', value: false }, class: null },
  { expression: 'if 1 then 1 else 2', tongban: { type: 'number', value: '2' }, class: 'feelin-if-truthy' },
  { expression: 'for i in 1..0 return i', tongban: { type: 'list', items: [{ type: 'number', value: '1' }, { type: 'number', value: '0' }] },
    class: 'feelin-for-range-to-zero' },
];

function classify(c) {
  for (const k of CLASSES) if (k.match(c)) return k.name;
  return null;
}

const started = performance.now();
const lines = readFileSync(corpusFile, 'utf8').split('\n').filter((l) => l.length > 0);
const counts = new Map(CLASSES.map((k) => [k.name, 0]));
const byFamily = new Map();
const disagreements = [];
const unclassified = [];
let agree = 0;
const agreeKinds = {};
for (const line of lines) {
  const item = JSON.parse(line);
  const context = Object.fromEntries(Object.entries(item.variables).map(([k, v]) => [k, toFeelin(v)]));
  if (item.mode === 'unary tests') context['?'] = toFeelin(item.input);
  const { result, warnings } = runFeelin(item.expression, context);
  const fam = byFamily.get(item.family) || { expressions: 0, agree: 0 };
  fam.expressions++;
  byFamily.set(item.family, fam);
  if (same(item.tongban, result)) {
    agree++;
    agreeKinds[item.tongban.type] = (agreeKinds[item.tongban.type] || 0) + 1;
    fam.agree++;
    continue;
  }
  const c = { expression: item.expression, family: item.family, context, tongban: item.tongban, feelin: result,
    tongbanWarning: item.warning, feelinWarnings: warnings };
  const cls = classify(c);
  const record = { id: item.id, family: item.family, class: cls, expression: item.expression,
    tongban: item.tongban, feelin: result, tongban_warning: item.warning, feelin_warnings: warnings,
    ...(item.mode ? { mode: item.mode, input: item.input } : {}),
    variables: Object.fromEntries(Object.keys(item.variables).filter((k) => new RegExp(`\\b${k}\\b`).test(item.expression))
      .map((k) => [k, item.variables[k]])) };
  disagreements.push(record);
  if (cls) counts.set(cls, counts.get(cls) + 1);
  else unclassified.push(record);
}
const seconds = (performance.now() - started) / 1000;

const sentinelFailures = [];
for (const s of SENTINELS) {
  const f = runFeelin(s.expression, {}).result;
  const cls = same(s.tongban, f) ? 'agree' : classify({ expression: s.expression, context: {}, tongban: s.tongban, feelin: f, feelinWarnings: [] });
  if (cls !== (s.class ?? null)) sentinelFailures.push({ ...s, got: cls, feelin: f });
}

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'disagreements.json'), JSON.stringify(disagreements, null, 1) + '\n');
const summary = {
  feelin: feelinPackage.version,
  expressions: lines.length,
  agree,
  agree_by_type: agreeKinds,
  disagree: disagreements.length,
  classes: CLASSES.map((k) => ({ name: k.name, count: counts.get(k.name), owner: k.owner, section: k.section })),
  unclassified: unclassified.length,
  families: Object.fromEntries([...byFamily].sort()),
  seconds: Math.round(seconds * 10) / 10,
};
writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');

const pct = (n) => (100 * n / lines.length).toFixed(2);
console.log(`feelin ${feelinPackage.version}: ${lines.length} expressions, ${agree} agree (${pct(agree)} %), ` +
  `${disagreements.length} disagree, ${seconds.toFixed(1)} s`);
console.log(`agreeing results by type: ${Object.entries(agreeKinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
for (const k of CLASSES) {
  console.log(`  ${String(counts.get(k.name)).padStart(6)}  ${k.name.padEnd(34)} ${k.owner.padEnd(8)} ${k.section}`);
}
console.log(`  ${String(unclassified.length).padStart(6)}  unclassified`);
console.log(`full list: ${join(outDir, 'disagreements.json')}`);
for (const s of sentinelFailures) {
  console.log(`SENTINEL ${s.expression}: expected class ${s.class}, got ${s.got} (feelin ${JSON.stringify(s.feelin)})`);
}
const shown = unclassified.slice(0, Number(process.env.FEELIN_SHOW || 40));
for (const u of shown) {
  console.log(`UNCLASSIFIED #${u.id} [${u.family}] ${u.expression}\n  tongban ${JSON.stringify(u.tongban)}` +
    `${u.tongban_warning ? ` (${u.tongban_warning})` : ''}\n  feelin  ${JSON.stringify(u.feelin)}` +
    `${u.feelin_warnings.length ? ` (${u.feelin_warnings[0]})` : ''}\n  variables ${JSON.stringify(u.variables)}` +
    `${u.mode ? `\n  unary test of ? = ${JSON.stringify(u.input)}` : ''}`);
}
if (unclassified.length > shown.length) console.log(`... ${unclassified.length - shown.length} more in disagreements.json`);
process.exit(unclassified.length === 0 && sentinelFailures.length === 0 && lines.length >= 10000 ? 0 : 1);
