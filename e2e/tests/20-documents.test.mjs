// The daily work of a legal team, in one story: create a project, drop in a real PDF and a
// real Word file (a CUAD filing and a Common Paper agreement), watch both reach `complete` without reloading, read the analysis, follow a
// finding to its clause, reject it, and find the contract again through search.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import {
  WAIT_MS,
  adminApi,
  clickAndWaitForPage,
  pathOf,
  screenshot,
  signInAsAdmin,
  testOptions,
  uniqueName,
  useBrowser,
} from '../support.mjs';

const fixture = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const PDF = fixture('crates/extract/tests/fixtures/cuad-0463464fa0.pdf');
const DOCX = fixture('crates/extract/tests/fixtures/commonpaper_professional_services_agreement.docx');

/** Long enough for a first analysis on a slow CI machine: OCR-free, but the model loads. */
const PIPELINE_MS = 180_000;

const browser = useBrowser();

/** Signs in, creates a project through its form, and returns the project page's path. */
async function createProject(page, name) {
  await signInAsAdmin(page);
  await page.goto('/projects');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel(/^Description/).fill('Supplier paper for the spring renewal round');
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Create project' }));
  assert.match(pathOf(page), /^\/projects\/[0-9a-f-]{36}$/);
  await page.getByRole('heading', { level: 1, name }).waitFor();
  return pathOf(page);
}

test(
  'uploaded contracts reach complete live, and a finding leads to its clause and can be rejected',
  { timeout: 2 * PIPELINE_MS + 60_000 },
  async () => {
    const { page } = browser;
    const name = uniqueName('Spring renewals');
    const projectPath = await createProject(page, name);

    // No navigation from here until both are complete: the page must update itself.
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.locator('#upload-files').setInputFiles([PDF, DOCX]);

    const items = page.locator('.upload-item');
    await items.nth(1).waitFor();
    for (const file of ['cuad-0463464fa0.pdf', 'commonpaper_professional_services_agreement.docx']) {
      const item = items.filter({ hasText: file });
      await item.getByText('Complete', { exact: true }).waitFor({ timeout: PIPELINE_MS });
    }
    assert.equal(navigations, 0, 'the page reloaded while documents were processed');
    await screenshot(page, 'upload');

    // The table, once shown again, lists both as complete with their analysis.
    await clickAndWaitForPage(page, page.getByRole('link', { name: 'Show the new documents in the list' }));
    assert.equal(pathOf(page), projectPath);
    const rows = page.locator('table.documents tbody tr');
    assert.equal(await rows.count(), 2);
    assert.equal(await page.locator('table.documents [data-status="complete"]').count(), 2);
    await screenshot(page, 'project');

    await clickAndWaitForPage(page, page.getByRole('link', { name: 'cuad-0463464fa0.pdf' }));
    await page.getByRole('heading', { name: /^Findings/ }).waitFor();
    await page.locator('.clause').first().waitFor();
    assert.ok(await page.locator('.page-marker').count() >= 1, 'page numbers are shown');

    // Following a finding scrolls its clause into view and makes it the target.
    const finding = page.locator('.finding', { has: page.locator('a.finding-link') }).first();
    const link = finding.locator('a.finding-link');
    const anchor = (await link.getAttribute('href')).slice(1);
    await link.click();
    await page.waitForFunction((id) => window.location.hash === `#${id}`, anchor);
    const clause = page.locator(`[id="${anchor}"]`);
    // In view, and settled at the top of the window (the scroll is smooth) unless the page
    // ends first.
    await page.waitForFunction((id) => {
      const box = document.getElementById(id).getBoundingClientRect();
      const atEnd = window.scrollY + window.innerHeight >= document.body.scrollHeight - 2;
      return box.top >= 0 && (box.top < 120 || atEnd) && box.top < window.innerHeight;
    }, anchor, { timeout: WAIT_MS });
    assert.ok(await clause.evaluate((element) => element.matches(':target')));
    await screenshot(page, 'document', { fullPage: false });

    // Rejecting it is kept, and shown as such.
    const key = await finding.getAttribute('data-finding');
    await clickAndWaitForPage(page, finding.getByRole('button', { name: 'Reject' }));
    const rejected = page.locator(`.finding[data-finding="${key}"]`);
    await rejected.getByText('Rejected', { exact: true }).waitFor();
    assert.match(await rejected.getAttribute('class'), /is-rejected/);

    const documentId = pathOf(page).split('/').pop();
    const findings = await (await adminApi()).get(`/documents/${documentId}/findings`);
    const stored = findings.findings.find((item) => item.key === key);
    assert.equal(stored.review.decision, 'rejected');
  },
);

test('search finds a contract by its words and by its meaning, with the words marked', testOptions, async () => {
  const { page } = browser;
  await signInAsAdmin(page);

  await page.goto('/search');
  await page.getByLabel('Find').fill('indemnify');
  await page.getByLabel('Match').selectOption('keyword');
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Search' }));
  const results = page.locator('.result');
  await results.first().waitFor();
  assert.ok(await page.locator('.result mark').count() > 0, 'matching words are highlighted');
  await screenshot(page, 'search');

  // The result leads to the document, at its clause.
  const href = await results.first().getByRole('link').getAttribute('href');
  assert.match(href, /^\/documents\/[0-9a-f-]{36}(#clause-\d+)?$/);

  await page.getByLabel('Match').selectOption('hybrid');
  await page.getByLabel('Find').fill('who pays if a third party sues');
  await clickAndWaitForPage(page, page.getByRole('button', { name: 'Search' }));
  await results.first().waitFor();
});

test('a file the service refuses shows the reason in plain words beside its name', testOptions, async () => {
  const { page } = browser;
  await createProject(page, uniqueName('Refusals'));

  await page.locator('#upload-files').setInputFiles([
    { name: 'scanned-contract.pdf', mimeType: 'application/pdf', buffer: Buffer.from('Dear team, not a PDF at all.') },
  ]);
  const item = page.locator('.upload-item', { hasText: 'scanned-contract.pdf' });
  const reason = item.getByRole('alert');
  await reason.waitFor();
  const text = (await reason.textContent()).trim();
  assert.ok(text.length > 10, `a reason is given: ${text}`);
  assert.doesNotMatch(text, /\{|\}|undefined/);
  await screenshot(page, 'upload-refused');
});

test('the dashboard shows the documents by status and risk with deadlines and activity', testOptions, async () => {
  const { page } = browser;
  await signInAsAdmin(page);
  await page.goto('/app');

  await page.getByRole('heading', { name: 'Recent activity' }).waitFor();
  assert.ok(await page.locator('svg.bar-chart').count() >= 2, 'the charts are drawn');
  await screenshot(page, 'dashboard');
});
