// What one user must never get at: another project's documents by editing the address, and a
// script smuggled in through a file name or a contract's own text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import {
  Api,
  adminApi,
  signIn,
  signInAsAdmin,
  testOptions,
  uniqueName,
  useBrowser,
} from '../support.mjs';

const PDF = fileURLToPath(
  new URL('../../crates/extract/tests/fixtures/bonterms_mutual_nda_v1.pdf', import.meta.url),
);

const browser = useBrowser();

test('a user cannot reach another project or its document by editing the URL', testOptions, async () => {
  const admin = await adminApi();
  const project = await admin.createProject({ name: uniqueName('Walled deal') });
  const [document] = await admin.upload(project.id, [PDF]);
  await admin.waitForDocument(document.id);
  const outsider = await admin.createUser({ displayName: 'Olive Outsider' });

  const { page } = browser;
  await signIn(page, outsider.email, outsider.password);
  for (const path of [
    `/projects/${project.id}`,
    `/documents/${document.id}`,
    `/documents/${document.id}/delete`,
  ]) {
    const response = await page.goto(path);
    assert.equal(response.status(), 404, path);
    assert.doesNotMatch(await page.content(), /bonterms_mutual_nda_v1/);
  }
  for (const path of [`/documents/${document.id}/download`, `/live/documents/${document.id}`]) {
    const response = await page.request.get(path);
    assert.equal(response.status(), 404, path);
  }

  // The same addresses work for the administrator, so the 404s above are about access.
  const own = await Api.signIn(outsider.email, outsider.password);
  assert.equal((await own.request('GET', `/documents/${document.id}`)).status, 404);
  assert.equal((await admin.request('GET', `/documents/${document.id}`)).status, 200);
});

test('HTML in a file name or in a contract is shown as text and never runs', testOptions, async () => {
  const admin = await adminApi();
  const before = await admin.get('/admin/settings');
  await admin.patch('/admin/settings', {
    allowed_file_types: [...new Set([...before.allowed_file_types, 'txt'])],
  });
  try {
    const { page } = browser;
    const dialogs = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    await signInAsAdmin(page);
    const project = await admin.createProject({ name: uniqueName('<b>Bold</b> matter') });
    await page.goto(`/projects/${project.id}`);

    const name = '<img src=x onerror="window.__xss=1;alert(1)">.txt';
    const text = [
      'MUTUAL NON-DISCLOSURE AGREEMENT',
      '<script>window.__xss = 2; alert(2)</script>',
      '1. Confidential Information. Each party shall keep the other party\'s confidential',
      'information secret and use it only to evaluate the proposed transaction.',
      '2. Governing Law. This Agreement is governed by the laws of the State of New York.',
    ].join('\n');
    await page.locator('#upload-files').setInputFiles([
      { name, mimeType: 'text/plain', buffer: Buffer.from(text) },
    ]);
    const item = page.locator('.upload-item').first();
    await item.getByText('Complete', { exact: true }).waitFor({ timeout: 180_000 });

    await page.reload();
    // The name arrives sanitised by the API and, whatever is left of it, as text.
    const link = page.locator('table.documents a[href^="/documents/"]').first();
    assert.match(await link.textContent(), /img src=x onerror=/);
    assert.match(await page.locator('h1').textContent(), /<b>Bold<\/b> matter/);
    await link.click();
    await page.locator('.clause-text', { hasText: '<script>window.__xss' }).first().waitFor();

    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(dialogs, []);
  } finally {
    await admin.patch('/admin/settings', { allowed_file_types: before.allowed_file_types });
  }
});
