// Backstage oracle: runs the REAL Backstage catalog code over a directory of catalog files and
// prints what Backstage accepts, as JSON, for Steward's golden tests.
//
// Regenerate the goldens (Node >= 20; the npm registry must be reachable):
//
//   mkdir -p /tmp/oracle_env && cd /tmp/oracle_env && npm init -y >/dev/null
//   npm install @backstage/catalog-model @backstage/plugin-catalog-backend \
//     @backstage/plugin-catalog-node @backstage/plugin-scaffolder-common \
//     @backstage/plugin-catalog-backend-module-scaffolder-entity-model @backstage/integration \
//     @backstage/config yaml
//   cd /work/main
//   for d in tests/catalog/data/backstage_cases/*/; do
//     BACKSTAGE_ORACLE_MODULES=/tmp/oracle_env node tests/oracle/backstage_oracle.mjs "$d" \
//       > "${d%/}.golden.json"
//   done
//
// What runs is Backstage's own code: FileReaderProcessor + parseEntityYaml (the `yaml` package,
// YAML 1.2) + ProcessorOutputCollector (envelope validation, annotations check) read each file
// through a synthetic root Location, exactly like a registered `file:` location; then every emitted
// entity goes through DefaultCatalogProcessingOrchestrator with the catalog backend's default
// policy chain (SchemaValid, DefaultNamespace, NoForeignRootFields, FieldFormat/makeValidator),
// PlaceholderProcessor (json/yaml/text resolvers), BuiltinKindsEntityProcessor and the scaffolder
// module's ScaffolderEntitiesProcessor (Template v1beta3).
//
// Where Steward's documented rules go beyond a stock Backstage, the harness applies them around
// the real code (each spot is marked STEWARD below):
//   * placeholder paths resolve against the entity file's directory and must stay inside the
//     input directory (after symlinks); absolute paths are refused;
//   * placeholder URLs are never fetched (no allowed hosts): the field keeps the URL (a warning);
//   * Location targets are not followed (a stub readLocation consumes them), catalog.rules
//     (allowed kinds per location) are not applied: every kind is allowed;
// Conflicts: files are taken in code-point order of their relative path; the first file that
// emits a ref keeps it, even when that entity then fails processing; a later document of the same
// file replaces the earlier one (same location key, Backstage updates in place).
//
// Output: {"files": {rel: {"ok", "errors": [msg], "entities": [accepted refs it owns]}},
//          "accepted": [refs], "relations": [[src, type, dst]], "conflicts": [[ref, kept, rejected]]}

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const modulesDir = process.env.BACKSTAGE_ORACLE_MODULES ?? '/tmp/oracle_env';
const require = createRequire(path.join(path.resolve(modulesDir), 'oracle.cjs'));
const backendDist = path.dirname(require.resolve('@backstage/plugin-catalog-backend'));

const catalogModel = require('@backstage/catalog-model');
const { ConfigReader } = require('@backstage/config');
const { ScmIntegrations } = require('@backstage/integration');
const { BuiltinKindsEntityProcessor } = require('@backstage/plugin-catalog-backend');
const { ScaffolderEntitiesProcessor } = require(
  path.join(
    path.dirname(require.resolve('@backstage/plugin-catalog-backend-module-scaffolder-entity-model')),
    'processor/ScaffolderEntitiesProcessor.cjs.js',
  ),
);
const { DefaultCatalogProcessingOrchestrator } = require(
  path.join(backendDist, 'processing/DefaultCatalogProcessingOrchestrator.cjs.js'),
);
const { FileReaderProcessor } = require(path.join(backendDist, 'processors/FileReaderProcessor.cjs.js'));
const placeholders = require(path.join(backendDist, 'processors/PlaceholderProcessor.cjs.js'));
const { defaultEntityDataParser } = require(path.join(backendDist, 'util/parse.cjs.js'));

const root = path.resolve(process.argv[2] ?? '.');
const realRoot = fs.realpathSync(root);

const logger = {
  child() { return logger; },
  debug() {}, info() {}, warn() {}, error() {},
};
const realIntegrations = ScmIntegrations.fromConfig(new ConfigReader({}));

function isUrl(value) {
  try { new URL(value); return true; } catch { return false; }
}

// STEWARD: file placeholders relative to the entity file, confined to the input directory.
const REFUSED = 'oracle-refused:';
const integrations = {
  byUrl: (url) => (isUrl(url) ? realIntegrations.byUrl(url) : undefined),
  byHost: (host) => realIntegrations.byHost(host),
  resolveUrl({ url, base }) {
    if (isUrl(url)) return url;
    if (path.isAbsolute(url)) return `${REFUSED}absolute paths are not allowed`;
    return path.resolve(path.dirname(base), url);
  },
};
const reader = {
  async readUrl(target) {
    if (target.startsWith(REFUSED)) throw new Error(target.slice(REFUSED.length));
    let real;
    try { real = fs.realpathSync(target); } catch (e) { throw new Error(`${e.code}`); }
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      throw new Error('the path resolves outside the configured roots');
    }
    const data = fs.readFileSync(real);
    return { buffer: async () => data };
  },
};
// STEWARD: URLs from hosts that are not allowed (all of them) stay in the field.
const wrap = (resolver) => async (params) =>
  typeof params.value === 'string' && isUrl(params.value) ? params.value : resolver(params);
const placeholderProcessor = new placeholders.PlaceholderProcessor({
  resolvers: {
    json: wrap(placeholders.jsonPlaceholderResolver),
    yaml: wrap(placeholders.yamlPlaceholderResolver),
    text: wrap(placeholders.textPlaceholderResolver),
  },
  reader,
  integrations,
});

// STEWARD: Location targets inside the files are not followed.
const swallowLocations = {
  getProcessorName: () => 'OracleSwallowLocations',
  async readLocation() { return true; },
};

const policy = catalogModel.EntityPolicies.allOf([
  new catalogModel.SchemaValidEntityPolicy(),
  new catalogModel.DefaultNamespaceEntityPolicy(),
  new catalogModel.NoForeignRootFieldsEntityPolicy(),
  new catalogModel.FieldFormatEntityPolicy(catalogModel.makeValidator()),
]);
const common = {
  integrations,
  logger,
  parser: defaultEntityDataParser,
  policy,
  rulesEnforcer: { isAllowed: () => true },
  allowedLocationTypes: ['url'], // CatalogBuilder's default
};
const kindProcessors = [
  placeholderProcessor,
  new BuiltinKindsEntityProcessor(),
  new ScaffolderEntitiesProcessor(),
];
const readOrchestrator = new DefaultCatalogProcessingOrchestrator({
  ...common,
  processors: [...kindProcessors, new FileReaderProcessor()],
});
const entityOrchestrator = new DefaultCatalogProcessingOrchestrator({
  ...common,
  processors: [...kindProcessors, swallowLocations],
});

function listFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}

const ref = (r) => catalogModel.stringifyEntityRef(r);
const message = (e) =>
  String(e?.cause ? `${e.message}: ${e.cause.message ?? e.cause}` : e?.message ?? e)
    .split(root + path.sep).join('').split(root).join('.');

async function readFile(file) {
  const location = `file:${file}`;
  const rootEntity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Location',
    metadata: {
      name: 'oracle-root',
      namespace: 'oracle-root',
      annotations: {
        'backstage.io/managed-by-location': location,
        'backstage.io/managed-by-origin-location': location,
      },
    },
    spec: { type: 'file', target: file },
  };
  const read = await readOrchestrator.process({ entity: rootEntity, state: {} });
  if (!read.ok) return { errors: read.errors.map(message), entities: [] };
  const entities = [];
  for (const { entity } of read.deferredEntities) {
    const claimed = ref(entity);
    const result = await entityOrchestrator.process({ entity, state: {} });
    entities.push({
      ref: claimed,
      ok: result.ok,
      errors: result.ok ? [] : result.errors.map(message),
      relations: result.ok
        ? result.relations.map((r) => [ref(r.source), r.type, ref(r.target)])
        : [],
    });
  }
  return { errors: [], entities };
}

const files = listFiles(root)
  .map((f) => [path.relative(root, f).split(path.sep).join('/'), f])
  .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); // code-point order

const out = { files: {}, accepted: [], relations: [], conflicts: [] };
const claims = new Map();
const results = {};
for (const [rel, full] of files) {
  results[rel] = await readFile(full);
  for (const entity of results[rel].entities) {
    const owner = claims.get(entity.ref);
    if (owner === undefined || owner.rel === rel) claims.set(entity.ref, { rel, entity });
    else out.conflicts.push([entity.ref, owner.rel, rel]);
  }
}
const relations = new Set();
for (const [rel] of files) {
  const r = results[rel];
  const errors = [...r.errors, ...r.entities.flatMap((e) => e.errors)];
  out.files[rel] = {
    ok: r.errors.length === 0 && r.entities.every((e) => e.ok),
    errors,
    entities: [],
  };
}
for (const [claimed, { rel, entity }] of claims) {
  if (!entity.ok) continue;
  out.files[rel].entities.push(claimed);
  out.accepted.push(claimed);
  for (const rel3 of entity.relations) relations.add(JSON.stringify(rel3));
}
for (const f of Object.values(out.files)) f.entities.sort();
out.accepted.sort();
out.relations = [...relations].map((s) => JSON.parse(s)).sort((a, b) => {
  const x = a.join('\u0000'), y = b.join('\u0000');
  return x < y ? -1 : x > y ? 1 : 0;
});
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
