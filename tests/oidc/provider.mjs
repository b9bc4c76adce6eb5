// A real OpenID provider (panva's oidc-provider) on loopback, for the portal's sign-in tests.
// Configured by the test through the environment: PORT, ISSUER, CLIENTS (JSON), ACCOUNTS (JSON:
// login -> claims) and JWKS (JSON, the signing keys). Its development login and consent pages
// accept any login name; the account's claims come from ACCOUNTS.
import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const provider = new Provider(process.env.ISSUER, {
  clients: JSON.parse(process.env.CLIENTS),
  jwks: JSON.parse(process.env.JWKS),
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...(accounts[id] || {}) }),
  }),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'company', 'plan'],
  },
  // Claims in the ID token itself, as many brands' providers send them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['portal-tests-only'] },
});

const server = provider.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log('ready');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
