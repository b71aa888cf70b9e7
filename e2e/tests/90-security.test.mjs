// Defences that a browser never exercises on its own, tested with plain HTTP from Node: what
// another site could make a victim's browser send.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { adminEmail, adminPassword, baseUrl, testOptions, uniqueEmail } from '../support.mjs';

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
