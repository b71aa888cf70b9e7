// Signing in and out through the real pages: the login page, a refused password, the forced
// change of the administrator's first password, sign-out, and the session cookies' flags.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  adminEmail,
  changedAdminPassword,
  clickAndWaitForPage,
  initialAdminPassword,
  pathOf,
  randomPassword,
  resetAdminToFirstStart,
  screenshot,
  signIn,
  signInAsAdmin,
  testOptions,
  useBrowser,
} from '../support.mjs';

const browser = useBrowser();

// The first-sign-in test needs the seeded state; another file may have changed it already.
before(resetAdminToFirstStart);

test('a signed-out visitor gets the login page at the root', testOptions, async () => {
  const { page } = browser;

  const response = await page.goto('/');

  assert.equal(response.status(), 200);
  assert.equal(pathOf(page), '/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const email = page.getByLabel('Email');
  await email.waitFor();
  assert.equal(await email.getAttribute('type'), 'email');
  assert.equal(await page.getByLabel('Password').getAttribute('type'), 'password');
  await screenshot(page, 'login');
});

test('a wrong password is refused with a message and the email kept', testOptions, async () => {
  const { page } = browser;

  const response = await signIn(page, adminEmail, randomPassword());

  assert.equal(response.status(), 401);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /incorrect email or password/i);
  assert.equal(await page.getByLabel('Email').inputValue(), adminEmail);
  assert.equal(await page.getByLabel('Password').inputValue(), '');
  assert.equal((await browser.context.cookies()).some((c) => c.name === 'cl_access'), false);
});

test(
  'the administrator must change the first password and then reaches the application',
  testOptions,
  async () => {
    const { page } = browser;

    const forced = await signIn(page, adminEmail, initialAdminPassword);

    assert.equal(pathOf(page), '/account/password');
    assert.equal(forced.status(), 200);
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    await screenshot(page, 'change-password');

    await page.getByLabel('Current password').fill(initialAdminPassword);
    await page.getByLabel('New password', { exact: true }).fill(changedAdminPassword);
    await page.getByLabel('Confirm new password').fill(changedAdminPassword);
    const button = page.getByRole('button', { name: 'Change password' });
    const landed = await clickAndWaitForPage(page, button);

    assert.equal(pathOf(page), '/app');
    assert.equal(landed.status(), 200);
    // Signed in: the application's menu and the sign-out button are there.
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
  },
);

test('session cookies are HttpOnly and SameSite=Strict', testOptions, async () => {
  const { page, context } = browser;

  const response = await signInAsAdmin(page);

  assert.equal(pathOf(page), '/app');
  assert.equal(response.status(), 200);
  const cookies = await context.cookies();
  const names = cookies.map((cookie) => cookie.name);
  assert.ok(names.includes('cl_access'), `no access cookie among ${names.join(', ')}`);
  assert.ok(names.includes('cl_refresh'), `no refresh cookie among ${names.join(', ')}`);
  // No cookie of the site is readable by page scripts or sent by another site's requests.
  for (const cookie of cookies) {
    assert.equal(cookie.httpOnly, true, `${cookie.name} is not HttpOnly`);
    assert.equal(cookie.sameSite, 'Strict', `${cookie.name} is SameSite=${cookie.sameSite}`);
  }
});

test('signing out returns to the login page and closes the application', testOptions, async () => {
  const { page, context } = browser;
  await signInAsAdmin(page);
  assert.equal(pathOf(page), '/app');

  const signOut = page.getByRole('button', { name: 'Sign out', exact: true });
  const signedOut = await clickAndWaitForPage(page, signOut);

  assert.equal(pathOf(page), '/');
  assert.equal(signedOut.status(), 200);
  await page.getByLabel('Email').waitFor();
  const names = (await context.cookies()).map((cookie) => cookie.name);
  assert.equal(names.includes('cl_access'), false, 'the access cookie outlived sign-out');
  assert.equal(names.includes('cl_refresh'), false, 'the refresh cookie outlived sign-out');

  const response = await page.goto('/app');

  assert.equal(pathOf(page), '/');
  assert.equal(response.status(), 200);
  await page.getByLabel('Email').waitFor();
});
