// A real OpenID Connect provider on loopback, for tests/test_oidc.py: the npm package
// oidc-provider (installed by `npm ci --prefix tests/oidc`, never at run time), one client
// (the dashboard), and test users whose ID token carries a role and départements.
//
// Environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI (the app's
// /oauth2callback), OIDC_USERS (JSON: {login: {password, claims}}). Prints « prêt » once it
// listens. Its own pages (login, sign-out, errors) are plain French HTML with no outside
// resource, so the browser tests can block every request that leaves 127.0.0.1.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import Provider, { interactionPolicy } from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUri = process.env.OIDC_REDIRECT_URI;
const users = JSON.parse(process.env.OIDC_USERS || '{}');
const bySub = Object.fromEntries(Object.values(users).map((u) => [u.claims.sub, u.claims]));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`;

const loginPage = (uid, error) => page('Fournisseur d\'identité de test', `
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label for="login">Identifiant</label><input id="login" name="login" required>
  <label for="password">Mot de passe</label>
  <input id="password" name="password" type="password" required>
  <button type="submit">Valider</button>
</form>`);

// Streamlit asks for prompt=select_account: a prompt the provider resolves with the login.
const policy = interactionPolicy.base();
policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  // The role and the départements come with the profile scope, in the ID token itself
  // (Streamlit reads the ID token's claims, not the userinfo endpoint).
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'tne_role', 'tne_departements'],
  },
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    const claims = bySub[sub];
    return claims && { accountId: sub, claims: async () => claims };
  },
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Se déconnecter du fournisseur ?', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Oui, me déconnecter</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Déconnecté', '<p>Vous êtes déconnecté.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
});

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16384) throw new Error('formulaire trop long');
  }
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (req.method === 'POST' && action === '/login') {
    const form = await readForm(req);
    const user = users[form.get('login')];
    if (!user || user.password !== form.get('password')) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(loginPage(uid, 'Identifiant ou mot de passe incorrect.'));
      return;
    }
    await provider.interactionFinished(req, res, {
      select_account: {}, login: { accountId: user.claims.sub },
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent') { // the dashboard is this provider's own client: no question
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } },
      { mergeWithLastSubmission: true });
    return;
  }
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(loginPage(uid, ''));
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const match = new URL(req.url, issuer).pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(req, res, match[1], match[2]).catch((error) => {
    res.statusCode = 500;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(page('Erreur', `<pre>${escape(error.message)}</pre>`));
  });
});
server.listen(port, '127.0.0.1', () => console.log('prêt'));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
