// A real OpenID Connect provider (npm's oidc-provider, pinned in package-lock.json) for the BFF's
// end-to-end tests: it listens on loopback, issues JWT access tokens to confidential clients with
// the client_credentials grant, and publishes its signing key in its JWKS.
//
//   node tools/oidc/idp.js [--port=0] [--client=ID:SECRET:PERMISSION,PERMISSION ...]
//                          [--resource=api://backoffice ...]
//
// Once it listens it prints one JSON line on stdout:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT,"kid":"..."}
// Every start makes a fresh RSA-2048 signing key with a fresh kid, so restarting it on the same
// --port is a key rotation. SIGTERM or SIGINT stops it.
//
// A token for a resource (`resource=` on the token request, RFC 8707) is an RS256 JWT with typ
// at+jwt, `aud` = the resource, and a `permissions` claim: the client's permissions from --client.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    client: { type: 'string', multiple: true, default: ['backoffice-e2e:backoffice-e2e-secret:users:read'] },
    resource: { type: 'string', multiple: true, default: ['api://backoffice', 'api://other'] },
  },
  strict: true,
});

// ID:SECRET:PERMISSIONS; the permissions themselves contain colons (users:read), so only the
// first two colons split.
function parseClient(spec) {
  const first = spec.indexOf(':');
  const second = spec.indexOf(':', first + 1);
  if (first <= 0 || second <= first + 1) {
    throw new Error(`--client=${spec}: expected ID:SECRET:PERMISSION,PERMISSION`);
  }
  const permissions = spec.slice(second + 1).split(',').filter((p) => p !== '');
  return {
    client_id: spec.slice(0, first),
    client_secret: spec.slice(first + 1, second),
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    permissions,
  };
}

const clients = options.client.map(parseClient);
const resources = new Set(options.resource);

// A fresh signing key per start: without `jwks`, oidc-provider would sign with its built-in
// development key, which is the same in every process (no rotation to test) and public.
const kid = randomUUID();
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

// The port first (0 = the OS picks one): the issuer URL names it.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(options.port), '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

// Plain http:// on loopback: oidc-provider takes the issuer URL as given and serves discovery,
// JWKS and the token endpoint over whatever server it is mounted on; it only insists on https
// behind a proxy (`proxy`, x-forwarded-proto), which is not used here. What a production
// provider must not do, and this one does because it lives for one test on 127.0.0.1:
// - the issuer is http://, so tokens and the client secret cross loopback unencrypted;
// - the client secrets come from the command line (visible in ps);
// - the signing key lives only in memory (a restart rotates it: that is the point);
// - the default in-memory adapter keeps grants and replay records only until the process ends.
// The interactive parts (login and consent pages, devInteractions) are turned off: the tests
// only use client_credentials, and devInteractions is oidc-provider's insecure demo login.
const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  ttl: { ClientCredentials: 5 * 60 },
  // Only interaction and session cookies use these (none here); random, so no default is used.
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  extraClientMetadata: {
    properties: ['permissions'],
    validator(ctx, key, value) {
      if (key === 'permissions' && value !== undefined &&
          !(Array.isArray(value) && value.every((p) => typeof p === 'string'))) {
        throw new errors.InvalidClientMetadata('permissions must be an array of strings');
      }
    },
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Tokens without resource= are opaque and useless to the BFF: no default resource.
      defaultResource: () => undefined,
      getResourceServerInfo(ctx, resourceIndicator) {
        if (!resources.has(resourceIndicator)) {
          throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
        }
        return {
          scope: 'api',
          audience: resourceIndicator,
          accessTokenTTL: 5 * 60,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  // The BFF's ClaimAuthorizer reads `permissions` (array of strings) from external tokens.
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'ClientCredentials') return undefined;
    const client = await ctx.oidc.provider.Client.find(token.clientId);
    return { permissions: client?.permissions ?? [] };
  },
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer, port, kid })}\n`);

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
