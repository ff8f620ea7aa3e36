// Golden answers for catalog/yaml12.py, from the real npm `yaml` v2 used the way Backstage's
// parseEntityYaml uses it: parseAllDocuments(text, {merge: false}), then per document
// `errors[0]` or `toJSON()`.
//
// Regenerate (needs node and the npm registry; nothing here is installed into the repo):
//   cd "$(mktemp -d)" && npm pack yaml@2 && tar xzf yaml-2.*.tgz
//   YAML_MODULE="$PWD/package" node /path/to/repo/tests/oracle/yaml_cases.mjs \
//     > /path/to/repo/tests/catalog/data/yaml12_cases.json
//
// Output: {"yaml_version", "cases": [{name, yaml, docs: [...]}]} where each document is
// {value, line} (line: 1-based line where its contents start) or {error, error_line} for
// `document.errors[0]`, or {throws} when toJSON() throws (alias problems; no position).
// Values that JSON cannot hold are tagged: {"$float": "nan"|"inf"|"-inf"}, integers beyond
// 2**53 as {"$bigint": "<JS digits>"}, and {"$unsupported": "Set"|"Map"|"cycle"|...}.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require(process.env.YAML_MODULE || 'yaml');

const rep = (s, n, sep = ', ') => Array(n).fill(s).join(sep);

// [name, yaml text]
const CASES = [
  // --- core schema scalars --------------------------------------------------------------
  ['nulls', 'a: null\nb: Null\nc: NULL\nd: ~\ne:\nf: nULL\ng: "null"\n'],
  ['bools', 'a: true\nb: True\nc: TRUE\nd: false\ne: False\nf: FALSE\ng: tRUE\n'],
  ['yaml11 words stay strings', 'a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: Yes\nh: OFF\n'],
  ['ints', 'a: 0\nb: 12\nc: -12\nd: +12\ne: 0012\nf: -0\n'],
  ['octal and hex', 'a: 0o17\nb: 0x1F\nc: 0x1f\nd: 0O17\ne: 0X1F\nf: -0x1F\ng: 017\nh: 0o8\n'],
  ['underscores and sexagesimal stay strings', 'a: 1_000\nb: 1:30\nc: 0b101\nd: 1,000\n'],
  ['floats', 'a: 1.5\nb: -1.5\nc: .5\nd: 1.\ne: +1.0\nf: 1e3\ng: 1E-3\nh: .5e+2\ni: 1.e2\nj: 1.2.3\n'],
  ['float specials', 'a: .inf\nb: -.Inf\nc: +.INF\nd: .nan\ne: .NaN\nf: .NAN\ng: -.nan\nh: .Nan\n'],
  ['big numbers', 'a: 9007199254740993\nb: 12345678901234567890\nc: 1e400\nd: 0x' + 'f'.repeat(300) + '\n'],
  ['timestamps stay strings', 'a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 12:30:00\n'],
  ['quoted and block scalars stay strings', 'a: "12"\nb: \'true\'\nc: |\n  null\nd: >-\n  1.5\n'],
  ['plain oddities', 'b: .\nc: +\nd: 0x\ne: 0o\nf: 1e\ng: e1\nh: .e1\ni: -1-\nj: +-1\n'],
  ['lone dash value', 'a: -\n'],
  ['url and colon values', 'a: http://x.y/z?q=1#f\nb: a:b\nc: dir:.\n'],

  // --- explicit tags ----------------------------------------------------------------------
  ['tag str', 'a: !!str 12\nb: !!str true\nc: !!str\n'],
  ['tag int', 'a: !!int "12"\nb: !!int 0x1F\nc: !!int abc\nd: !!int 1.5\n'],
  ['tag float', 'a: !!float 1\nb: !!float "1.5"\nc: !!float .inf\nd: !!float 1e3\n'],
  ['tag bool and null', 'a: !!bool yes\nb: !!bool "True"\nc: !!null ""\nd: !!null x\ne: !!null\n'],
  ['non-specific tag', 'a: ! 12\nb: ! true\nc: ! [1]\n'],
  ['unknown tags', 'a: !foo bar\nb: !foo 12\nc: !!foo 12\nd: !foo\n  x: 1\ne: !foo [1, 2]\n'],
  ['verbatim and %TAG tags', '%TAG !e! tag:yaml.org,2002:\n---\na: !e!int "7"\nb: !<tag:yaml.org,2002:str> 7\n'],
  ['collection tags on scalars', 'a: !!map x\nb: !!seq y\nc: !!set z\nd: !!omap w\n'],
  ['matching collection tags', 'a: !!map {x: 1}\nb: !!seq [1]\nc: !!seq {x: 1}\nd: !!map [1]\n'],
  ['binary', 'a: !!binary aGVsbG8=\nb: !!binary |\n  aGVs\n  bG8=\nc: !!binary aGV-_w\nd: !!binary a!GVsbG8\n'],
  ['binary oddities', 'a: !!binary aGVs=bG8\nb: !!binary a\nc: !!binary ""\n'],
  ['binary on a map', 'a: !!binary {x: 1}\n'],
  ['timestamp tag', 'a: !!timestamp 2001-12-14\nb: !!timestamp 2001-12-14t21:59:43.10-05:00\n' +
    'c: !!timestamp 2001-12-14 21:59:43.10 -5\nd: !!timestamp 2002-12-14T00:00:00Z\n'],
  ['timestamp overflow', 'a: !!timestamp 0050-13-32T25:61:61.12345+00:15\n' +
    'b: !!timestamp 9999-12-31 23:59:59 -5\nc: !!timestamp 0000-01-01T00:00:00+05:30\n'],
  ['timestamp invalid', 'a: 1\nb: !!timestamp soon\n'],
  ['set on a map', 'a: !!set {x, y}\n'],
  ['set on a seq', 'a: !!set [x, y]\n'],
  ['omap', 'a: !!omap [x: 1]\n'],
  ['omap on a map', 'a: !!omap {x: 1}\n'],
  ['pairs', 'a: !!pairs [x: 1, x: 2]\n'],
  ['explicit merge tag', '!!merge <<: {b: 2}\nc: 1\n'],

  // --- keys -------------------------------------------------------------------------------
  ['merge key is literal', 'base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n'],
  ['merge key as only key', '<<: {a: 1}\n'],
  ['non-string keys', '1: a\n1.5: b\ntrue: c\n~: d\n.inf: e\n-.inf: f\n.nan: g\n0x10: h\n'],
  ['number keys formatted by JS', '1e21: a\n1e20: b\n0.1: c\n1e-7: d\n0.000001: e\n1.0: f\n' +
    '12345678901234567890: g\n-0: h\n1.5e300: i\n123e-20: j\n'],
  ['empty key', ': a\n'],
  ['quoted keys equal to other types', '{1: a, "1": b}\n'],
  ['null key and empty string key', '{~: a, "": b}\n'],
  ['bool key and string key', '{true: a, "true": b}\n'],
  ['three keys one name', '{1: a, "1": b, 1.0: c}\n'],
  ['alias keys', 's: &s k\nm: &m {x: 1}\nl: &l [1]\n*s : v1\n*m : v2\n*l : v3\n'],
  ['alias key same as plain key', 'a: &k k\nk: 1\n*k : 2\n'],
  ['collection key', '{[a, b]: 1}\n'],
  ['map key', '? {a: 1}\n: 2\n'],
  ['integer-like keys order', 'b: 1\n2: x\n1: y\n'],

  // --- duplicate keys ---------------------------------------------------------------------
  ['dup key top level', 'a: 1\nb: 2\na: 3\n'],
  ['dup key nested', 'metadata:\n  name: x\n  labels:\n    a: 1\n    a: 2\n'],
  ['dup key in flow map', 'a: {x: 1, y: 2, x: 3}\n'],
  ['dup key numbers', '{1: a, 1.0: b}\n'],
  ['dup key octal', '{8: a, 0o10: b}\n'],
  ['dup key bools', 'true: a\nTrue: b\n'],
  ['dup key nulls', '~: a\nnull: b\n'],
  ['dup key empty and null', ': a\n~: b\n'],
  ['nan keys are not duplicates', '.nan: a\n.NaN: b\n'],
  ['dup key quoted', 'a: 1\n"a": 2\n'],
  ['dup key tagged', '!!str 1: a\n"1": b\n'],
  ['dup key in second document', 'a: 1\n---\nb: 1\nb: 2\n'],
  ['same key in sibling maps is fine', 'x:\n  a: 1\ny:\n  a: 2\n'],
  ['dup merge key', '<<: {a: 1}\n<<: {b: 2}\n'],

  // --- documents --------------------------------------------------------------------------
  ['empty stream', ''],
  ['comment only stream', '# nothing\n'],
  ['whitespace only stream', '\n\n   \n'],
  ['one document', 'a: 1\n'],
  ['explicit start', '---\na: 1\n'],
  ['leading comments', '# header\n\n# more\na: 1\n'],
  ['multi documents', 'a: 1\n---\nb: 2\n---\nc: 3\n'],
  ['trailing empty document', 'a: 1\n---\n'],
  ['leading empty document', '---\n---\na: 1\n'],
  ['document end markers', 'a: 1\n...\n---\nb: 2\n...\n'],
  ['scalar documents', '--- 1\n--- "x"\n--- [1]\n--- ~\n'],
  ['content on the --- line', '--- {a: 1}\n---\n\n\nb: 2\n'],
  ['BOM', '\ufeffa: 1\n'],
  ['BOM before second document', 'a: 1\n---\n\ufeffb: 2\n'],
  ['CRLF', 'a: 1\r\nb:\r\n  - x\r\n'],
  ['YAML 1.2 directive', '%YAML 1.2\n---\na: yes\n'],
  ['YAML 1.1 directive', '%YAML 1.1\n---\na: yes\n'],
  ['YAML 1.0 directive', '%YAML 1.0\n---\na: yes\n'],
  ['YAML 1.3 directive', '%YAML 1.3\n---\na: yes\n'],
  ['unknown directive', '%FOO bar\n---\na: 1\n'],

  // --- documents under %YAML 1.1: yaml v2's yaml-1.1 schema ------------------------------
  ['1.1 scalars', '%YAML 1.1\n---\na: yes\nb: 2001-12-14\nc: 0b101\nd: 1_000\ne: 1:30\nf: 012\n' +
    'g: on\nh: 1.5_0\ni: e5\nj: 2001-12-14t21:59:43.10-05:00\nk: Off\nl: y\nm: N\nn: 09\n'],
  ['1.1 number oddities', '%YAML 1.1\n---\na: 0_\nb: .\nc: 0x_\nd: -012\ne: +0b1_0\n' +
    'f: 190:20:30.15\ng: .inf\nh: 1e3\ni: 12e03\nj: -1:30\nk: 0x1F\nl: 1.e2\nm: 00\n'],
  ['1.1 keys', '%YAML 1.1\n---\n2001-01-01: a\n2001-01-01 10:00:00: b\ny: 1\n012: c\n'],
  ['1.1 duplicate bool keys', '%YAML 1.1\n---\ny: 1\ntrue: 2\n'],
  ['1.1 explicit tags', '%YAML 1.1\n---\na: !!bool maybe\nb: !!timestamp foo\nc: !!int 0b11\n' +
    'd: "<<"\ne: !!str yes\nf: !!float 1:30.5\ng: !!bool on\nh: !!timestamp 2001-12-14\n'],
  ['1.1 carries to the next documents', '%YAML 1.1\n---\na: yes\n---\nb: yes\n...\n%TAG !e! tag:x\n---\nc: on\n'],
  ['1.1 then 1.2', '%YAML 1.1\n---\na: yes\n...\n%YAML 1.2\n---\nb: yes\n'],
  ['1.2 then 1.1', 'a: yes\n...\n%YAML 1.1\n---\nb: yes\n'],
  ['1.1 scalar documents', '%YAML 1.1\n--- yes\n--- 2001-01-01\n--- 1:00\n'],
  ['1.1 merge', '%YAML 1.1\n---\nbase: &b {x: 1, y: 2}\nm:\n  yy: 3\n  <<: *b\n  z: 4\n'],
  ['1.1 merge list then override', '%YAML 1.1\n---\nm:\n  <<: [{x: 1}, {x: 2, w: 5}]\n  x: 9\n'],
  ['1.1 merge not a map', '%YAML 1.1\n---\nm:\n  <<: 1\n'],
  ['1.1 quoted merge key', '%YAML 1.1\n---\na: &x 1\n<<: {b: *x}\n"<<": 3\n'],
  ['1.1 entity', '%YAML 1.1\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\n' +
    'metadata:\n  name: old-yaml\n  annotations:\n    acme.io/since: 2001-12-14\n' +
    'spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  public: yes\n'],

  // --- syntax errors ----------------------------------------------------------------------
  ['tab indentation', 'a:\n\tb: 1\n'],
  ['tab at start', '\ta: 1\n'],
  ['tab before sequence', 'a:\n\t- b\n'],
  ['tab after colon is fine', 'a:\tb\nc: 1\t# c\n'],
  ['tab in flow is fine', 'a: [1,\t2]\n'],
  ['mapping value in plain scalar', 'a: b: c\n'],
  ['bad indentation', 'a:\n  b: 1\n c: 2\n'],
  ['unclosed flow', 'a: [1, 2\nb: 3\n'],
  ['unclosed quote', 'a: "x\nb: 1\n'],
  ['sequence after map', 'a: 1\n- b\n'],
  ['error in second document', 'a: 1\n---\nb: [\n'],
  ['undefined alias', 'a: *nope\n'],
  ['anchor in later document', 'a: &x 1\n---\nb: *x\n'],
  ['long implicit key', 'k'.repeat(1100) + ': 1\n'],
  ['control character', 'a: "b\u0007"\n'],
  ['nested too deep', 'a: ' + '['.repeat(3000) + ']'.repeat(3000) + '\n'],

  // --- anchors and aliases ----------------------------------------------------------------
  ['simple aliases', 'a: &x 1\nb: *x\nc: &m {k: v}\nd: *m\ne: &l [1, 2]\nf: *l\n'],
  ['anchor redefined', 'a: &x 1\nb: *x\nc: &x 2\nd: *x\n'],
  ['alias inside anchor with same name', 'a: &x [&x 1, *x]\n'],
  ['recursive alias', 'a: &x [1, *x]\n'],
  ['anchor on empty value', 'a: &x\nb: *x\n'],
  ['scalar used 99 times', 'a: &x 1\nb: [' + rep('*x', 99) + ']\n'],
  ['scalar used 100 times', 'a: &x 1\nb: [' + rep('*x', 100) + ']\n'],
  ['map used 99 times', 'a: &x {k: v}\nb: [' + rep('*x', 99) + ']\n'],
  ['map used 100 times', 'a: &x {k: v}\nb: [' + rep('*x', 100) + ']\n'],
  ['empty map used 300 times', 'a: &x {}\nb: [' + rep('*x', 300) + ']\n'],
  ['empty seq used 300 times', 'a: &x []\nb: [' + rep('*x', 300) + ']\n'],
  ['nested aliases within limit', 'a: &a [1]\nb: &b [' + rep('*a', 9) + ']\nc: [' + rep('*b', 9) + ']\n'],
  ['nested aliases over limit', 'a: &a [1]\nb: &b [' + rep('*a', 9) + ']\nc: [' + rep('*b', 10) + ']\n'],
  ['alias count uses counts at first use', 'a: &a [1]\nb: &b [*a]\nx: [' + rep('*a', 40) +
    ']\nc: [' + rep('*b', 3) + ']\n'],
  ['alias count fixed after first use', 'a: &a [1]\nb: &b [*a]\nc: *b\nx: [' + rep('*a', 40) +
    ']\nd: [' + rep('*b', 40) + ']\n'],
  ['nested anchors inside anchor', 'a: &a {k: &k [1], j: *k}\nb: [' + rep('*a', 30) + ']\n'],
  ['anchor only of empty collections with alias', 'e: &e []\na: &a [*e, []]\nb: [' + rep('*a', 200) + ']\n'],
  ['billion laughs', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' +
    'b: &b [' + rep('*a', 9) + ']\nc: &c [' + rep('*b', 9) + ']\nd: &d [' + rep('*c', 9) + ']\n' +
    'e: &e [' + rep('*d', 9) + ']\nf: &f [' + rep('*e', 9) + ']\n'],
  ['aliases per document', 'a: &x 1\nb: [' + rep('*x', 60) + ']\n---\na: &x 1\nb: [' + rep('*x', 60) + ']\n'],

  // --- scalar styles and flow details -----------------------------------------------------
  ['double-quoted escapes', 'a: "\\u00e9\\x41\\t\\n\\\\\\"\\/\\0\\a\\e\\N\\_\\L\\P\\U0001F600"\n'],
  ['single-quoted', "a: 'it''s'\nb: ''\nc: 'multi\n  line'\n"],
  ['multi-line plain', 'a: one\n  two\n\n  three\nb: x # comment\nc: y#z\n'],
  ['block scalars', 'a: |\n  x\n   y\n\nb: >\n  p\n  q\n\n  r\nc: |-\n  s\n\nd: |+\n  t\n\ne: |2\n    u\nf: >-\n  # not a comment\n'],
  ['block scalar with tabs', 'a: |\n  x\ty\n\tz\n'],
  ['flow details', 'a: {x, y: 1}\nb: [x: 1, {y: 2}]\nc: [ ]\nd: { }\ne: [a, [b, {c: d}]]\nf: [1, 2, ]\n'],
  ['empty sequence items', 'a:\n- \n- x\n-\n'],
  ['complex key syntax', '? a\n: 1\n? b\nc: 2\n'],
  ['anchors on keys', '&k a: 1\nb: *k\n'],
  ['indicator at start', 'a: @x\n'],
  ['backtick at start', 'a: `x`\n'],
  ['empty tag value', 'a: !\nb: !!str\n'],
  ['comment right after key', 'a: # c\n  b: 1\n'],
  ['seq at same indent as key', 'a:\n- 1\n- 2\nb: 3\n'],
  ['document end then content', 'a: 1\n...\nb: 2\n'],
  ['document end, comments, then content', 'a: 1\n... # end\n# c\n\nb: 2\n'],
  ['document end twice then content', 'a: 1\n...\n...\nb: 2\n'],
  ['document end then directive', 'a: 1\n...\n%YAML 1.2\n---\nb: 2\n'],
  ['document end then unknown directive', 'a: 1\n...\n%FOO x\n---\nb: 2\n'],
  ['document end at start', '...\n'],
  ['document end at start then content', '...\na: 1\n'],
  ['document end at start then start', '... # x\n---\na: 1\n'],
  ['directive without document start', '%YAML 1.2\na: 1\n'],
  ['unknown directive without document start', '%FOO bar\na: 1\n'],
  ['YAML 1.10 directive', '%YAML 1.10\n---\na: 1\n'],
  ['TAG directive', '%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n'],
  ['dots inside a document', 'a: ...\nb: |\n  ...\n'],
  ['lone CR in plain scalar', 'a: b\rc\n'],
  ['lone CR in quoted scalar', 'a: "x\ry"\nb: \'x\ry\'\n'],
  ['lone CR at end', 'a: b\r'],
  ['CR before CRLF', 'a: b \r\r\nc: d\r\n'],
  ['lone CR in block scalar', 'a: |\n  x\ry\n'],
  ['lone CR in key', 'a\r: b\n'],
  ['lone CR in comment', '# c\ra: b\nd: e\n'],
  ['lone CR line endings', 'a: 1\rb: 2\r'],
  ['key with spaces', 'a b c: 1\n"x y": 2\n'],
  ['special characters in plain', 'a: -x\nb: ?x\nc: :x\nd: x:\ne: {x: a:b}\n'],
  ['long line', 'a: ' + 'x'.repeat(5000) + '\n'],
  ['unicode', 'naïve: "ü"\n名前: 値\nemoji: 😀\n'],
  ['NEL and LS characters', 'a: x\u0085y\nb: x\u2028y\n'],
  ['zero width and nbsp', 'a: x\u00a0\nb: \u200bx\n'],

  // --- a realistic entity -----------------------------------------------------------------
  ['catalog entity', [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    '  name: payments',
    '  annotations:',
    '    github.com/project-slug: acme/payments',
    '  tags: [python, payments]',
    'spec:',
    '  type: service',
    '  lifecycle: production',
    '  owner: team-a',
    '  dependsOn:',
    '    - resource:db',
    '    - component:auth',
    '  replicas: 3',
    '  public: yes',
    '',
  ].join('\n')],
];

function toLine(lineCounter, offset) {
  return lineCounter.linePos(offset).line;
}

function encode(value, seen = new Set()) {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $float: 'nan' };
    if (value === Infinity) return { $float: 'inf' };
    if (value === -Infinity) return { $float: '-inf' };
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return { $bigint: String(value) };
    return value;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return { $unsupported: typeof value };
  if (seen.has(value)) return { $unsupported: 'cycle' };
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    seen.add(value);
    const out = value.map((v) => encode(v, seen));
    seen.delete(value);
    return out;
  }
  if (proto !== Object.prototype && proto !== null) return { $unsupported: value.constructor.name };
  seen.add(value);
  const out = {};
  // Keep JavaScript's own property order (integer-like keys first).
  for (const k of Object.keys(value)) out[k] = encode(value[k], seen);
  seen.delete(value);
  return { $object: Object.entries(out) };
}

const cases = [];
for (const [name, text] of CASES) {
  const lineCounter = new YAML.LineCounter();
  const docs = [];
  for (const doc of YAML.parseAllDocuments(text, { merge: false, lineCounter }).filter((d) => d)) {
    if (doc.errors.length) {
      const err = doc.errors[0];
      docs.push({ error: err.message, error_line: err.linePos?.[0]?.line ?? null, code: err.code });
      continue;
    }
    const start = doc.contents?.range?.[0];
    const line = start === undefined ? null : toLine(lineCounter, start);
    try {
      docs.push({ value: encode(doc.toJSON()), line });
    } catch (e) {
      docs.push({ throws: String(e) });
    }
  }
  cases.push({ name, yaml: text, docs });
}

const pkg = require((process.env.YAML_MODULE || 'yaml') + '/package.json');
process.stdout.write(JSON.stringify({ yaml_version: pkg.version, cases }, null, 1) + '\n');
