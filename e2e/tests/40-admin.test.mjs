// Administration through its pages: an administrator creates an account, grants a colleague
// access to a project and takes it away again, and an ethical wall hides a project from
// someone who holds a grant to it.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  adminApi,
  clickAndWaitForPage,
  newPage,
  randomPassword,
  screenshot,
  signIn,
  signInAsAdmin,
  testOptions,
  uniqueEmail,
  uniqueName,
  useBrowser,
} from '../support.mjs';

const browser = useBrowser();

/** Whether the colleague's project list names the project, and what opening it answers. */
async function whatTheySee(page, project) {
  await page.goto('/projects');
  const listed = await page.getByRole('link', { name: project.name, exact: true }).count();
  const opened = await page.goto(`/projects/${project.id}`);
  return { listed: listed > 0, status: opened.status() };
}

test('an administrator creates an account through the users page', testOptions, async () => {
  const { page } = browser;
  await signInAsAdmin(page);
  await page.goto('/admin/users');

  const email = uniqueEmail('paralegal');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Display name/).fill('Priya Paralegal');
  await page.getByLabel('Role').selectOption('user');
  await page.getByLabel('Temporary password').fill(randomPassword());
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Create account' }));

  await page.getByText('The account was created.').waitFor();
  await page.getByRole('cell', { name: email }).waitFor();
  await screenshot(page, 'admin-users');

  await page.goto('/admin/playbook');
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.ok(await page.locator('table tbody tr').count() > 5, 'the default playbook is listed');
  await screenshot(page, 'admin-playbook');
});

test(
  'an administrator grants and removes access, and a wall hides a project despite a grant',
  testOptions,
  async () => {
    const admin = await adminApi();
    const project = await admin.createProject({ name: uniqueName('Merger review') });
    const colleague = await admin.createUser({ displayName: uniqueName('Colin Colleague') });

    const { page } = browser;
    page.on('dialog', (dialog) => dialog.accept());
    await signInAsAdmin(page);
    const theirs = await newPage(browser.browser);
    try {
      await signIn(theirs.page, colleague.email, colleague.password);
      assert.deepEqual(await whatTheySee(theirs.page, project), { listed: false, status: 404 });

      // Grant through the access page.
      await page.goto('/admin/access');
      await page.getByRole('combobox', { name: 'Project' }).selectOption(project.id);
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Show access' }));
      await page.getByLabel('Person or group').selectOption(`user:${colleague.id}`);
      await page.getByLabel('Level').selectOption('editor');
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Grant access' }));
      await page.getByText('Access was granted.').waitFor();
      await screenshot(page, 'admin-access');
      assert.deepEqual(await whatTheySee(theirs.page, project), { listed: true, status: 200 });

      // Remove it again (the page asks first; the dialog is accepted).
      const row = page.locator('tr', { hasText: colleague.display_name });
      await clickAndWaitForPage(page, row.getByRole('button', { name: /^Remove/ }));
      await page.getByText('The grant was removed.').waitFor();
      assert.deepEqual(await whatTheySee(theirs.page, project), { listed: false, status: 404 });

      // A wall wins over a grant.
      await admin.grant(project.id, { userId: colleague.id, level: 'viewer' });
      assert.deepEqual(await whatTheySee(theirs.page, project), { listed: true, status: 200 });
      await page.goto('/admin/walls');
      await page.getByRole('combobox', { name: 'Project' }).selectOption(project.id);
      await page.getByLabel('Keep out').selectOption(`user:${colleague.id}`);
      await page.getByLabel(/^Reason/).fill('Acts for the other side of the merger');
      await clickAndWaitForPage(page, page.getByRole('button', { name: 'Put up wall' }));
      await page.getByText('The wall is up').waitFor();
      await screenshot(page, 'admin-walls');
      assert.deepEqual(await whatTheySee(theirs.page, project), { listed: false, status: 404 });

      const wall = page.locator('tr', { hasText: project.name });
      await clickAndWaitForPage(page, wall.getByRole('button', { name: /^Take down/ }));
      await page.getByText('The wall was taken down.').waitFor();
      assert.deepEqual(await whatTheySee(theirs.page, project), { listed: true, status: 200 });
    } finally {
      await theirs.context.close();
    }
  },
);

test('a colleague who is not an administrator is refused every administration page', testOptions, async () => {
  const admin = await adminApi();
  const colleague = await admin.createUser({ displayName: 'Nadia Nonadmin' });
  const { page } = browser;
  await signIn(page, colleague.email, colleague.password);

  assert.equal(await page.getByRole('link', { name: 'Administration' }).count(), 0);
  for (const path of ['/admin', '/admin/users', '/admin/access', '/admin/walls', '/admin/playbook']) {
    const response = await page.goto(path);
    assert.equal(response.status(), 403, path);
  }
});
