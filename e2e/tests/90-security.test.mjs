// Defences that a browser never exercises on its own, tested with plain HTTP from Node: what
// another site could make a victim's browser send.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  adminApi,
  adminEmail,
  adminPassword,
  baseUrl,
  testOptions,
  uniqueEmail,
} from '../support.mjs';

/**
 * The login page's form token and the cookie that pairs with it, as a browser would hold
 * them, so that the request below differs from a genuine one only in its `Origin`.
 */
async function loginForm() {
  const response = await fetch(`${baseUrl}/`);
  assert.equal(response.status, 200);
  const html = await response.text();

  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .find((pair) => pair.startsWith('cl_csrf='));
  const token = html.match(/name="csrf_token"\s+value="([^"]+)"/)?.[1];
  assert.ok(cookie, 'the login page set no form-token cookie');
  assert.ok(token, 'the login form has no csrf_token field');
  return { cookie, token };
}

function postLogin({ origin, cookie, token, email, password }) {
  const body = new URLSearchParams({ email, password, csrf_token: token });
  const headers = { 'content-type': 'application/x-www-form-urlencoded', origin, cookie };
  return fetch(`${baseUrl}/login`, { method: 'POST', headers, body, redirect: 'manual' });
}

function sessionCookies(response) {
  return response.headers
    .getSetCookie()
    .filter((header) => /^(__Host-)?cl_(access|refresh)=[^;]/.test(header));
}

test(
  'a login form posted from another origin is refused even with the right password',
  testOptions,
  async () => {
    const form = await loginForm();

    const response = await postLogin({
      ...form,
      origin: 'https://attacker.example',
      email: adminEmail,
      password: await adminPassword(),
    });

    assert.equal(response.status, 403);
    assert.deepEqual(sessionCookies(response), []);
  },
);

test(
  'the same form posted from the site itself gets past the origin check',
  testOptions,
  async () => {
    const form = await loginForm();

    // An unknown account, so that the refusal comes from the credentials, not the origin,
    // and the administrator's sign-in limit is not touched.
    const response = await postLogin({
      ...form,
      origin: new URL(baseUrl).origin,
      email: uniqueEmail('nobody'),
      password: 'not-a-real-password',
    });

    assert.equal(response.status, 401);
    assert.match(await response.text(), /incorrect email or password/i);
  },
);

test(
  'a signed-in form post without its form token is refused and changes nothing',
  testOptions,
  async () => {
    const admin = await adminApi();
    const before = (await admin.get('/projects')).length;
    const form = await loginForm();
    const signedIn = await postLogin({
      ...form,
      origin: new URL(baseUrl).origin,
      email: adminEmail,
      password: await adminPassword(),
    });
    assert.equal(signedIn.status, 303);
    const session = signedIn.headers
      .getSetCookie()
      .map((header) => header.split(';')[0])
      .concat(form.cookie)
      .join('; ');

    // What a forged post carries: the victim's cookies, our own origin (a same-site
    // attacker), but not the token the page would have repeated.
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(baseUrl).origin,
      cookie: session,
    };
    const forged = await fetch(`${baseUrl}/projects`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ name: 'Forged project' }),
      redirect: 'manual',
    });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /form has expired/i);

    const wrong = await fetch(`${baseUrl}/projects`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ name: 'Forged project', csrf_token: 'f'.repeat(64) }),
      redirect: 'manual',
    });
    assert.equal(wrong.status, 403);

    // The genuine form, with the token, works: the refusals above were about the token.
    const genuine = await fetch(`${baseUrl}/projects`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ name: `Genuine ${Date.now()}`, csrf_token: form.token }),
      redirect: 'manual',
    });
    assert.equal(genuine.status, 303);
    assert.equal((await admin.get('/projects')).length, before + 1);
  },
);
