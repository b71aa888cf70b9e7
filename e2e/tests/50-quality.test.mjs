// The qualities every page owes its users: a label for every field, keyboard access, layouts
// that fit a tablet, nothing loaded from another site, and clear error pages.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import {
  adminApi,
  baseUrl,
  newPage,
  signInAsAdmin,
  testOptions,
  uniqueName,
  useBrowser,
} from '../support.mjs';

const DOCX = fileURLToPath(
  new URL(
    '../../crates/extract/tests/fixtures/commonpaper_professional_services_agreement.docx',
    import.meta.url,
  ),
);

const browser = useBrowser();
let pages = [];

before(async () => {
  const admin = await adminApi();
  const project = await admin.createProject({ name: uniqueName('Quality') });
  const [document] = await admin.upload(project.id, [DOCX]);
  await admin.waitForDocument(document.id);
  pages = [
    '/app',
    '/projects',
    `/projects/${project.id}`,
    `/documents/${document.id}`,
    '/search?q=indemnify',
    '/admin',
    '/admin/users',
    `/admin/access?project=${project.id}`,
    '/admin/walls',
    '/admin/settings',
    '/admin/playbook',
    '/admin/ai',
  ];
});

/** The fields a person fills in or picks from that no label names. */
function unlabelledFields(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('input:not([type="hidden"]), select, textarea')]
      .filter((field) => {
        const labelled = field.labels && field.labels.length > 0;
        return !labelled && !field.getAttribute('aria-label') && !field.getAttribute('aria-labelledby');
      })
      .map((field) => field.outerHTML.slice(0, 120)),
  );
}

test('every field on every main page has a label, and charts have a text alternative', testOptions, async () => {
  const { page } = browser;
  await signInAsAdmin(page);
  for (const path of pages) {
    const response = await page.goto(path);
    assert.equal(response.status(), 200, path);
    assert.deepEqual(await unlabelledFields(page), [], path);
    const silentCharts = await page.locator('svg:not([aria-label])').count();
    assert.equal(silentCharts, 0, `${path}: a chart without a text alternative`);
    assert.equal(await page.locator('h1').count(), 1, `${path}: one main heading`);
  }
});

test('the keyboard reaches the skip link first and it leads to the content', testOptions, async () => {
  const { page } = browser;
  await signInAsAdmin(page);
  await page.goto('/projects');

  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.textContent.trim());
  assert.equal(focused, 'Skip to content');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.location.hash === '#main');
});

test('at tablet and laptop widths no page scrolls sideways', testOptions, async () => {
  for (const viewport of [{ width: 768, height: 1024 }, { width: 1024, height: 768 }]) {
    const { context, page } = await newPage(browser.browser);
    try {
      await page.setViewportSize(viewport);
      await signInAsAdmin(page);
      for (const path of pages) {
        await page.goto(path);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 1, `${path} at ${viewport.width}px scrolls sideways by ${overflow}px`);
      }
    } finally {
      await context.close();
    }
  }
});

test('pages load nothing from another site and carry a strict content security policy', testOptions, async () => {
  const { page } = browser;
  const foreign = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(baseUrl) && !url.startsWith('data:')) foreign.push(url);
  });
  await signInAsAdmin(page);
  for (const path of pages) {
    const response = await page.goto(path);
    const policy = response.headers()['content-security-policy'];
    assert.match(policy, /default-src 'none'/, path);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/, path);
  }
  assert.deepEqual(foreign, []);
  // The font comes from the set-up command's npm package, served by the process itself.
  const font = await page.request.get('/static/vendor/inter/index.css');
  assert.equal(font.status(), 200);
});

test('a missing page and a missing document get clear error pages', testOptions, async () => {
  const { page } = browser;
  await signInAsAdmin(page);

  const missing = await page.goto('/no/such/page');
  assert.equal(missing.status(), 404);
  await page.getByText('There is no page at this address.').waitFor();
  const document = await page.goto('/documents/00000000-0000-4000-8000-000000000000');
  assert.equal(document.status(), 404);
  await page.getByRole('link', { name: 'Back to Contract Lucidity' }).waitFor();
});
