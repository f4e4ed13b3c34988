// Checks docs/api/openapi.yaml against a running BFF: every /api path of the description must be
// routed, with exactly the methods the description gives it.
//
//   node tools/openapi/check_routes.js SPEC BASE_URL [ROUTES_DIR]
//
// For each /api path, the path's parameters are filled with a UUID and the BFF is asked with
// OPTIONS, which its gateway answers with `Allow` (every method routed for that concrete path).
// That set, less HEAD and OPTIONS, must equal the methods that the description gives to every
// one of its paths matching the concrete path (`/api/users/import` also matches
// `/api/users/{id}`). The operations endpoints must answer GET. The other direction, a route
// that the description lacks, cannot be asked over HTTP: with ROUTES_DIR (bff/app), every
// "/api/..." string literal of its *_routes.cc files must be a path of the description. Exit 1
// on any difference.
'use strict';

const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

const kMethods = ['get', 'put', 'post', 'delete', 'patch'];
const kSampleId = '0192f1c4-1e2d-7a3b-8c4d-5e6f7a8b9c0d';

function templateRegExp(path) {
  const parts = path.split(/\{[^}/]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]+')}$`);
}

function format(set) {
  return [...set].sort().join(', ') || '(none)';
}

async function main() {
  const [specPath, base, routesDir] = process.argv.slice(2);
  if (!specPath || !base) {
    console.error('usage: node check_routes.js SPEC BASE_URL');
    process.exit(2);
  }
  const spec = yaml.load(fs.readFileSync(specPath, 'utf8'));
  const templates = Object.entries(spec.paths).map(([path, item]) => ({
    path,
    regexp: templateRegExp(path),
    methods: new Set(kMethods.filter((m) => item[m] !== undefined).map((m) => m.toUpperCase())),
  }));

  const failures = [];
  let checked = 0;
  for (const template of templates) {
    const concrete = template.path.replace(/\{[^}/]+\}/g, kSampleId);
    if (!template.path.startsWith('/api/')) {
      const response = await fetch(base + concrete);
      if (response.status !== 200 && !(template.path === '/readyz' && response.status === 503)) {
        failures.push(`GET ${template.path}: answered ${response.status}`);
      }
      checked += 1;
      continue;
    }
    const response = await fetch(base + concrete, { method: 'OPTIONS' });
    if (response.status === 404) {
      failures.push(`${template.path}: not routed by the BFF (OPTIONS ${concrete} is a 404)`);
      continue;
    }
    const allow = new Set(
      (response.headers.get('allow') || '')
        .split(',')
        .map((m) => m.trim().toUpperCase())
        .filter((m) => m !== '' && m !== 'HEAD' && m !== 'OPTIONS'),
    );
    const expected = new Set();
    for (const other of templates) {
      if (other.regexp.test(concrete)) {
        other.methods.forEach((m) => expected.add(m));
      }
    }
    const missing = [...expected].filter((m) => !allow.has(m));
    const undocumented = [...allow].filter((m) => !expected.has(m));
    if (missing.length > 0 || undocumented.length > 0) {
      failures.push(
        `${template.path}: the BFF allows ${format(allow)}, the description says ` +
          `${format(expected)}` +
          (missing.length > 0 ? `; not routed: ${missing.join(', ')}` : '') +
          (undocumented.length > 0 ? `; not described: ${undocumented.join(', ')}` : ''),
      );
    }
    checked += 1;
  }

  if (routesDir) {
    for (const file of fs.readdirSync(routesDir).filter((name) => name.endsWith('_routes.cc'))) {
      const source = fs.readFileSync(path.join(routesDir, file), 'utf8');
      for (const match of source.matchAll(/"(\/api\/[^"]*[^"/])"/g)) {
        if (spec.paths[match[1]] === undefined) {
          failures.push(`${match[1]}: a route pattern in ${file} that the description lacks`);
        }
      }
    }
  }

  if (failures.length > 0) {
    console.error(`openapi routes: ${failures.length} difference(s) between ${specPath} and the BFF:`);
    failures.forEach((failure) => console.error(`  ${failure}`));
    process.exit(1);
  }
  console.log(`openapi routes: all ${checked} paths of ${specPath} match the BFF's routes`);
}

main().catch((error) => {
  console.error(`openapi routes: ${error.stack || error}`);
  process.exit(1);
});
