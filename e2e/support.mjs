// What every end-to-end test file shares: the server it talks to, a headless Chromium with a
// fresh browser context per test, full-page screenshots for the docs, the real login form, a
// small client of the JSON API for fast set-up, and a polling helper for things that settle
// over time.
//
// The server is a `lucidity serve` that scripts/lib/e2e.sh started for this run; it passes
// the variables read below. Test files run one at a time, each in its own Node process, and
// may run in any order: nothing here relies on another file having run first.

import { after, afterEach, before, beforeEach } from 'node:test';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { chromium } from 'playwright-core';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the end-to-end tests through scripts/test.sh`);
  }
  return value;
}

/** The front door, e.g. `http://127.0.0.1:41234`, without a trailing slash. */
export const baseUrl = required('E2E_BASE_URL').replace(/\/+$/, '');

/** The seeded administrator. Its first password must be changed at first sign-in. */
export const adminEmail = required('E2E_ADMIN_EMAIL');
export const initialAdminPassword = required('E2E_ADMIN_PASSWORD');

/**
 * The administrator's password once it has been changed, by the first sign-in test through
 * the UI or by `adminPassword()` through the API. Derived from the initial one, which is
 * random per run, so it is never a fixed password on a reachable server.
 */
export const changedAdminPassword = `${initialAdminPassword}-changed`;

/** Where `screenshot()` writes; the docs show these pictures. */
export const screenshotDir = required('E2E_SCREENSHOT_DIR');

/** Upper bound for anything the tests wait for: a page, an element, a document's status. */
export const WAIT_MS = 30_000;

/** Per-test ceiling, so a hung browser fails its test instead of stalling the run. */
export const TEST_TIMEOUT_MS = 120_000;

/** Options for `test()`: the per-test ceiling. */
export const testOptions = { timeout: TEST_TIMEOUT_MS };

// --- Browser --------------------------------------------------------------------------------

/**
 * Debian's Chromium, never a downloaded browser. The flags keep it from reaching out to
 * Google's services, which a closed network refuses noisily; `--no-sandbox` because CI runs
 * as root, where Chromium's sandbox cannot start.
 */
const CHROMIUM_PATH = process.env.E2E_CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const VIEWPORT = { width: 1280, height: 800 };

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    timeout: WAIT_MS,
  });
}

/** A new context (its own cookies and storage) and page, with relative URLs on the server. */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT, baseURL: baseUrl });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  const page = await context.newPage();
  return { context, page };
}

/**
 * Registers hooks giving each test of the enclosing file or `describe` a fresh context and
 * page in one shared browser, closed afterwards. Read `.page` and `.context` inside a test.
 */
export function useBrowser() {
  const session = { browser: null, context: null, page: null };
  before(async () => {
    session.browser = await launch();
  });
  beforeEach(async () => {
    Object.assign(session, await newPage(session.browser));
  });
  afterEach(async () => {
    await session.context?.close();
    session.context = null;
    session.page = null;
  });
  after(async () => {
    await session.browser?.close();
  });
  return session;
}

/**
 * Saves a PNG of the page as `<E2E_SCREENSHOT_DIR>/<name>.png` and returns its path: the
 * whole page, or only what the window shows with `fullPage: false` (for long documents).
 */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  // The picture shows the page in its own fonts, not a fallback caught mid-load.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path, fullPage, animations: 'disabled' });
  return path;
}

/** The path of a page URL (`/app` for `http://host/app?x=1`). */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/**
 * Clicks something that submits a form or follows a link, waits until the page the server
 * answers with (after any redirects) has loaded, whatever its URL, and returns the response
 * that page came from, so that a test can check its status.
 */
export async function clickAndWaitForPage(page, locator) {
  // Waiting for the element first makes a missing one fail as such, not as a lost navigation.
  await locator.waitFor();

  let last = null;
  const remember = (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      last = response;
    }
  };
  page.on('response', remember);
  try {
    const navigated = page.waitForEvent('framenavigated', {
      predicate: (frame) => frame === page.mainFrame(),
      timeout: WAIT_MS,
    });
    await Promise.all([navigated, locator.click()]);
    await page.waitForLoadState('load');
  } finally {
    page.off('response', remember);
  }
  return last;
}

/** Fills in and submits the real login form, and waits for the page the server sends next. */
export async function signIn(page, email, password) {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  return clickAndWaitForPage(page, page.getByRole('button', { name: 'Sign in' }));
}

/** Signs the administrator in through the form with its (changed) password. */
export async function signInAsAdmin(page) {
  return signIn(page, adminEmail, await adminPassword());
}

// --- Waiting --------------------------------------------------------------------------------

/**
 * Calls `check` until it returns without throwing and, when `accept` is given, until its
 * result passes `accept`; then returns that result. Fails with the last error after
 * `timeoutMs`. For state that settles on its own, such as a document's status.
 */
export async function eventually(check, { timeoutMs = WAIT_MS, intervalMs = 200, accept } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (!accept || accept(value)) {
        return value;
      }
      lastError = new Error(`not yet: ${JSON.stringify(value)}`);
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`still failing after ${timeoutMs} ms: ${reason}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// --- API ------------------------------------------------------------------------------------

/** An API answer that was not the expected success; carries the status and `detail`. */
export class ApiError extends Error {
  constructor(method, path, status, body) {
    const detail = typeof body === 'object' && body !== null ? JSON.stringify(body) : body;
    super(`${method} ${path} answered ${status}: ${detail}`);
    this.status = status;
    this.body = body;
  }
}

/** Sends a request to the API through the front door, and returns status and parsed body. */
export async function apiRequest(method, path, { token, json, form } = {}) {
  const headers = { accept: 'application/json' };
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  let body;
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }

  const response = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body });
  const text = await response.text();
  let parsed = text;
  if ((response.headers.get('content-type') || '').includes('json') && text) {
    parsed = JSON.parse(text);
  }
  return { status: response.status, body: parsed };
}

/** A signed-in API client. Methods return the parsed body and throw `ApiError` otherwise. */
export class Api {
  /** The bearer token; private, so that no message or inspection of the client prints it. */
  #token;

  constructor(token, mustChangePassword) {
    this.#token = token;
    this.mustChangePassword = mustChangePassword;
  }

  /** Signs in with email and password (`POST /auth/login`). */
  static async signIn(email, password) {
    const answer = await apiRequest('POST', '/auth/login', { json: { email, password } });
    if (answer.status !== 200) {
      throw new ApiError('POST', '/auth/login', answer.status, answer.body);
    }
    return new Api(answer.body.access_token, answer.body.must_change_password);
  }

  /** The raw answer, whatever its status. */
  request(method, path, options = {}) {
    return apiRequest(method, path, { ...options, token: this.#token });
  }

  async #expect(method, path, options, expected) {
    const answer = await this.request(method, path, options);
    if (!expected.includes(answer.status)) {
      throw new ApiError(method, path, answer.status, answer.body);
    }
    return answer.body;
  }

  get(path) {
    return this.#expect('GET', path, {}, [200]);
  }

  post(path, json) {
    return this.#expect('POST', path, { json }, [200, 201, 202, 204]);
  }

  patch(path, json) {
    return this.#expect('PATCH', path, { json }, [200]);
  }

  put(path, json) {
    return this.#expect('PUT', path, { json }, [200]);
  }

  delete(path) {
    return this.#expect('DELETE', path, {}, [200, 204]);
  }

  me() {
    return this.get('/auth/me');
  }

  changePassword(currentPassword, newPassword) {
    return this.post('/auth/change-password', {
      current_password: currentPassword,
      new_password: newPassword,
    });
  }

  // Administration and projects, for setting up what a page test looks at.

  /** Creates a project; the caller gets admin access to it. */
  createProject({ name = uniqueName('Project'), description = '' } = {}) {
    return this.post('/projects', { name, description });
  }

  /** Grants a user or group `viewer`, `editor` or `admin` on a project. */
  grant(projectId, { userId, groupId, level }) {
    return this.post(`/projects/${projectId}/grants`, {
      user_id: userId,
      group_id: groupId,
      level,
    });
  }

  /** Puts an ethical wall between a user or group and a project. */
  createWall({ projectId, userId, groupId, reason = 'End-to-end test conflict' }) {
    return this.post('/admin/walls', {
      project_id: projectId,
      user_id: userId,
      group_id: groupId,
      reason,
    });
  }

  createGroup({ name = uniqueName('Group'), description = '' } = {}) {
    return this.post('/admin/groups', { name, description });
  }

  addGroupMember(groupId, userId) {
    return this.post(`/admin/groups/${groupId}/members`, { user_id: userId });
  }

  /**
   * Creates an account (`POST /admin/users`) and returns it with `email` and `password`.
   * Unless `temporary` is set, the account's first password is replaced through the API, so
   * it signs in straight to the application instead of the change-password page.
   */
  async createUser({ role = 'user', displayName, email, temporary = false } = {}) {
    const address = email ?? uniqueEmail(role);
    const firstPassword = randomPassword();
    const user = await this.post('/admin/users', {
      email: address,
      display_name: displayName ?? `E2E ${role}`,
      role,
      password: firstPassword,
    });
    if (temporary) {
      return { ...user, password: firstPassword };
    }

    const password = randomPassword();
    const own = await Api.signIn(address, firstPassword);
    await own.changePassword(firstPassword, password);
    return { ...user, must_change_password: false, password };
  }

  /**
   * Uploads files to a project (`POST /documents`, multipart). Each file is a path on disk or
   * `{ name, content, type }`. Answers the per-file entries (`documents` of the answer):
   * `{ filename, id, status }`, or `{ filename, detail }` for a refused file.
   */
  async upload(projectId, files) {
    const form = new FormData();
    form.append('project_id', projectId);
    for (const file of files) {
      if (typeof file === 'string') {
        form.append('files', new Blob([await readFile(file)]), basename(file));
      } else {
        form.append('files', new Blob([file.content], { type: file.type }), file.name);
      }
    }
    const answer = await this.#expect('POST', '/documents', { form }, [202]);
    return answer.documents;
  }

  /** Waits until a document reaches one of `statuses` (default `complete`), and returns it. */
  waitForDocument(documentId, { statuses = ['complete'], timeoutMs = 180_000 } = {}) {
    return eventually(() => this.get(`/documents/${documentId}`), {
      timeoutMs,
      intervalMs: 500,
      accept: (document) => {
        if (document.status === 'failed' && !statuses.includes('failed')) {
          throw new Error(`document ${documentId} failed: ${document.error_message}`);
        }
        return statuses.includes(document.status);
      },
    });
  }
}

/**
 * The administrator's password, made the known `changedAdminPassword` with the must-change
 * flag cleared, whichever test ran before. Tries the changed password first, so that after
 * the sign-in test no failed attempt counts against the account's sign-in limit.
 */
export async function adminPassword() {
  const changed = await apiRequest('POST', '/auth/login', {
    json: { email: adminEmail, password: changedAdminPassword },
  });
  if (changed.status === 200 && !changed.body.must_change_password) {
    return changedAdminPassword;
  }

  const admin = await Api.signIn(adminEmail, initialAdminPassword);
  await admin.changePassword(initialAdminPassword, changedAdminPassword);
  return changedAdminPassword;
}

/** An API client signed in as the administrator, password already changed. */
export async function adminApi() {
  return Api.signIn(adminEmail, await adminPassword());
}

/**
 * Puts the administrator back to its first-start state: the initial password, to be changed
 * at the next sign-in. For the test of that first sign-in, when another file ran before it.
 */
export async function resetAdminToFirstStart() {
  const first = await apiRequest('POST', '/auth/login', {
    json: { email: adminEmail, password: initialAdminPassword },
  });
  if (first.status === 200 && first.body.must_change_password) {
    return;
  }
  const admin = await adminApi();
  const { id } = await admin.me();
  await admin.post(`/admin/users/${id}/reset-password`, { new_password: initialAdminPassword });
}

// --- Names ----------------------------------------------------------------------------------

/** A name no other test uses, so tests never collide on unique columns. */
export function uniqueName(prefix) {
  return `${prefix} ${randomBytes(4).toString('hex')}`;
}

export function uniqueEmail(prefix = 'user') {
  return `e2e-${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

/** A password that passes the strength rules and is new each time. */
export function randomPassword() {
  return `E2e-${randomBytes(12).toString('base64url')}`;
}
