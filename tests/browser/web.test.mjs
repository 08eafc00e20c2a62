// Browser test of the web application: starts `esculape serve` on a temporary data
// folder with a small local pack (and the ANSM thesaurus from ../shared/data), then drives
// Debian's Chromium (playwright-core) through sign-in, search, a passage in context, a
// streamed answer and its citation, a prescription check, a score, pseudonymization, a
// draft validated and exported, and the audit trail, and saves screenshots.
//
// Needs: target/release/esculape (cargo build --release -p esculape-cli) and
// /usr/bin/chromium (or CHROMIUM=/path). Run: cd tests/browser && npm ci && npm test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = process.env.ESCULAPE_BIN ?? join(root, 'target/release/esculape');
const screenshots = join(root, 'docs/screenshots');
const adminPassword = 'admin password for the browser test';
const auditorPassword = 'auditor password for the browser test';
const clinicianPassword = 'clinician password for the browser test';
// The reference data beside the repository (CI has it): the ANSM thesaurus pack.
const mirror = process.env.ESCULAPE_MIRROR ?? resolve(root, '../shared/data');
const hasThesaurus = existsSync(join(mirror, 'drugs/ansm-thesaurus'));

let work;
let server;
let baseUrl;
let context;
let serverOutput = '';

function esculape(args, env = {}) {
  return execFileSync(binary, ['--data-dir', join(work, 'data'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'esculape-browser-'));
  const pack = join(work, 'protocoles');
  mkdirSync(pack);
  // Synthetic documents: the glianorex is a fictional organ.
  writeFileSync(join(pack, 'glianorex.md'),
    '# Glianorex\n\nLa glianorex est un organe fictif, décrit pour les tests.\n\n' +
    '## Surveillance\n\nLa surveillance de la glianorex repose sur un dosage fictif, ' +
    'répété chaque trimestre dans ce protocole imaginaire.\n');
  writeFileSync(join(pack, 'autre.md'), '# Autre protocole\n\nUn document sans rapport avec la question.\n');
  esculape(['sources', 'add', pack, '--name', 'Protocoles du service']);
  esculape(['users', 'add', 'auditrice', '--name', 'Claire Auditrice', '--role', 'auditor'],
    { ESCULAPE_USER_PASSWORD: auditorPassword });
  esculape(['users', 'add', 'dr.martin', '--name', 'Dr Martin', '--role', 'clinician'],
    { ESCULAPE_USER_PASSWORD: clinicianPassword });
  if (hasThesaurus) esculape(['sources', 'add', 'ansm-interactions', '--mirror', mirror]);
  else console.log(`# ${mirror} has no ANSM thesaurus: the prescription check is skipped`);

  server = spawn(binary, ['--data-dir', join(work, 'data'), 'serve', '--addr', '127.0.0.1:0'], {
    env: { ...process.env, ESCULAPE_ADMIN_PASSWORD: adminPassword },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  baseUrl = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${serverOutput}`)), 60_000);
    const read = (chunk) => {
      serverOutput += chunk;
      const match = serverOutput.match(/is ready: (http:\/\/[^\s]+)/);
      if (match) { clearTimeout(timer); resolveUrl(match[1].replace(/\/$/, '')); }
    };
    server.stdout.on('data', read);
    server.stderr.on('data', read);
    server.on('exit', (code) => reject(new Error(`server exited (${code}):\n${serverOutput}`)));
  });

  mkdirSync(screenshots, { recursive: true });
  context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    locale: 'fr-FR',
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (server && server.exitCode === null) server.kill('SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

async function signIn(page, login, password) {
  await page.goto(`${baseUrl}/`);
  assert.match(page.url(), /\/login$/);
  // Keyboard only: the login field has focus (autofocus applies once the tab is the
  // active one), Tab to the password, Enter to submit.
  await page.bringToFront();
  await page.waitForFunction(() => document.activeElement?.id === 'login', null, { timeout: 5000 });
  await page.keyboard.type(login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/rechercher$/);
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/\/login$/);
  await page.close();
}

test('a clinician signs in, searches, opens a passage in context', async () => {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await page.screenshot({ path: join(screenshots, 'login.png') });
  await signIn(page, 'admin', adminPassword);

  await page.getByLabel('Question ou mots-clés').fill('surveillance de la glianorex');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForURL(/q=surveillance/);
  const first = page.locator('article.hit').first();
  assert.equal(await first.locator('h3').innerText(), 'Glianorex');
  assert.match(await first.locator('dl.provenance').innerText(), /Protocoles du service/);
  assert.ok(await first.locator('mark').count() > 0, 'the query words are highlighted');
  await page.screenshot({ path: join(screenshots, 'rechercher.png'), fullPage: true });

  await first.getByRole('link', { name: 'Voir le passage dans son contexte' }).click();
  await page.waitForURL(/\/passage\?id=/);
  assert.match(await page.locator('mark.passage').innerText(), /dosage fictif/);
  assert.match(await page.locator('.context').innerText(), /organe fictif/);
  await page.screenshot({ path: join(screenshots, 'passage.png'), fullPage: true });

  await page.goto(`${baseUrl}/administration`);
  assert.match(await page.locator('main').innerText(), /Protocoles du service/);
  assert.match(await page.locator('main').innerText(), /auditrice/);
  await page.screenshot({ path: join(screenshots, 'administration.png'), fullPage: true });

  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(/\/login$/);
  await page.close();
});

test('a clinician asks, sees the answer stream, and opens a citation in context', async () => {
  const page = await context.newPage();
  await signIn(page, 'dr.martin', clinicianPassword);
  await page.getByRole('link', { name: 'Demander' }).click();
  await page.waitForURL(/\/demander$/);
  assert.match(await page.locator('.ai-banner').innerText(), /généré par une IA/);
  await page.getByLabel('Question clinique').fill('Sur quoi repose la surveillance de la glianorex ?');
  await page.getByRole('button', { name: 'Demander' }).click();
  // The script streams the answer in place: the page does not reload.
  const citation = page.locator('section.answer a.citation').first();
  await citation.waitFor({ timeout: 30_000 });
  assert.match(page.url(), /\/demander$/);
  assert.match(await page.locator('section.answer .sentence').first().innerText(), /dosage fictif/);
  assert.match(await page.locator('section.answer ol.sources').innerText(), /Protocoles du service/);
  await page.screenshot({ path: join(screenshots, 'demander.png'), fullPage: true });
  await citation.click();
  await page.waitForURL(/\/passage\?id=/);
  assert.match(await page.locator('mark.passage').innerText(), /dosage fictif/);
  const provenance = await page.locator('dl.provenance').innerText();
  assert.match(provenance, /Protocoles du service/);
  assert.match(provenance, /Version/);
  // A question naming a score points to its calculator, which computes it.
  await page.goto(baseUrl + '/demander');
  await page.getByLabel('Question clinique').fill('Score CHA2DS2-VASc et surveillance de la glianorex ?');
  await page.getByRole('button', { name: 'Demander' }).click();
  const calculator = page.locator('section.answer-calculators a');
  await calculator.waitFor({ timeout: 30_000 });
  assert.equal(await calculator.getAttribute('href'), '/scores/cha2ds2-vasc');
  await calculator.click();
  await page.waitForURL(/\/scores\/cha2ds2-vasc$/);
  await signOut(page);
});

test('a clinician checks a prescription against the ANSM thesaurus', { skip: !hasThesaurus && 'no ANSM thesaurus in the mirror' }, async () => {
  const page = await context.newPage();
  await signIn(page, 'dr.martin', clinicianPassword);
  await page.getByRole('link', { name: 'Ordonnance' }).click();
  await page.getByLabel("Lignes de l'ordonnance (une par ligne)").fill('clarithromycine 500 mg\nsimvastatine 20 mg');
  await page.getByRole('button', { name: 'Vérifier les interactions' }).click();
  await page.waitForURL(/\/ordonnance$/);
  const alert = page.locator('article.alert').first();
  await alert.waitFor();
  assert.match(await alert.getAttribute('class'), /^alert level-(ci|ad|pe|apc)$/);
  assert.match(await alert.innerText(), /CLARITHROMYCINE|clarithromycine/i);
  assert.match(await alert.innerText(), /Thésaurus ANSM/);
  await page.screenshot({ path: join(screenshots, 'ordonnance.png'), fullPage: true });
  await signOut(page);
});

test('a clinician computes a score and pseudonymizes a note', async () => {
  const page = await context.newPage();
  await signIn(page, 'dr.martin', clinicianPassword);
  await page.getByRole('link', { name: 'Scores' }).click();
  await page.locator('a[href="/scores/ckd-epi"]').click();
  await page.waitForURL(/\/scores\/ckd-epi$/);
  await page.locator('input[name="age"]').fill('60');
  await page.locator('select[name="sex"]').selectOption('M');
  await page.locator('input[name="creatinine"]').fill('115');
  await page.locator('select[name="creatinine__unit"]').selectOption('umol/L');
  assert.match(await page.locator('#creatinine-range').innerText(), /µmol\/L/);
  await page.getByRole('button', { name: 'Calculer' }).click();
  const value = page.locator('output.score-value');
  await value.waitFor();
  assert.match(await value.innerText(), /^\d+(\.\d+)?$/);
  await page.screenshot({ path: join(screenshots, 'scores.png'), fullPage: true });

  await page.getByRole('link', { name: 'Pseudonymiser' }).click();
  await page.getByLabel('Texte à pseudonymiser').fill('Mme Jeanne DUPONT, née le 03/04/1956, tél 06 12 34 56 78');
  await page.getByRole('button', { name: 'Pseudonymiser' }).click();
  await page.locator('table.findings').waitFor();
  assert.doesNotMatch(await page.locator('pre.pseudonymized-text').innerText(), /DUPONT/);
  assert.match(await page.locator('table.findings').innerText(), /DUPONT/);
  await page.screenshot({ path: join(screenshots, 'pseudonymiser.png'), fullPage: true });
  await signOut(page);
});

test('a clinician drafts a consultation report, sees its sources, validates and exports it', async () => {
  const page = await context.newPage();
  await signIn(page, 'dr.martin', clinicianPassword);
  await page.getByRole('link', { name: 'Rédiger' }).click();
  await page.waitForURL(/\/rediger$/);
  assert.match(await page.locator('.ai-banner').innerText(), /généré par une IA/);
  await page.getByLabel('Type de document').selectOption('compte-rendu-consultation');
  // Synthetic notes written for this test (no real patient).
  await page.getByLabel('Notes ou transcription de dictée').fill(
    'Motif de consultation : essoufflement à l\'effort depuis trois semaines.\n' +
    'Examen : auscultation pulmonaire normale, pas d\'oedème des membres inférieurs.\n' +
    'Conclusion : dyspnée d\'effort à explorer.'
  );
  await page.getByRole('button', { name: 'Rédiger le brouillon' }).click();
  const sentences = page.locator('section.draft-text ul.draft-sentences li');
  await sentences.first().waitFor();
  // Every sentence of the draft links to the passage of the notes it rests on.
  assert.ok(await sentences.first().locator('sup a').count() > 0, 'a sentence carries its source');
  assert.match(await page.locator('section.draft-notes ol.excerpts').innerText(), /essoufflement/);
  await page.screenshot({ path: join(screenshots, 'rediger.png'), fullPage: true });

  await page.getByRole('button', { name: 'Valider (je signe ce document)' }).click();
  await page.waitForURL(/\/rediger\/\d+$/);
  assert.match(await page.locator('main').innerText(), /validé/);
  const exportLink = page.locator('section.export a', { hasText: 'Markdown' });
  const response = await page.request.get(`${baseUrl}${await exportLink.getAttribute('href')}`);
  assert.equal(response.status(), 200);
  assert.match(await response.text(), /essoufflement/);
  await page.screenshot({ path: join(screenshots, 'rediger-valide.png'), fullPage: true });
  await signOut(page);
});

test('an auditor sees the sign-ins in the audit trail, which verifies', async () => {
  const page = await context.newPage();
  await signIn(page, 'auditrice', auditorPassword);
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('link', { name: "Consulter le journal d'audit" }).click();
  await page.getByRole('button', { name: "Vérifier l'intégrité du journal" }).click();
  await page.waitForURL(/verify=true/);
  assert.match(await page.getByRole('status').innerText(), /Journal intègre/);
  const trail = await page.locator('table.audit').innerText();
  assert.match(trail, /admin\s+auth\.login\s+admin\s+success/);
  assert.match(trail, /admin\s+auth\.logout/);
  assert.match(trail, /terminal\s+users\.create\s+auditrice/);
  // The clinician's answer, with its model and source versions, and the other uses.
  assert.match(trail, /dr\.martin\s+ask\s+success[^\n]*source_versions/);
  assert.match(trail, /dr\.martin\s+score\.compute\s+ckd-epi\s+success/);
  assert.match(trail, /dr\.martin\s+pseudonymize\s+success/);
  assert.match(trail, /dr\.martin\s+draft\.validate\s+\S*\s*success/);
  if (hasThesaurus) assert.match(trail, /dr\.martin\s+interactions\.check\s+success/);
  await page.screenshot({ path: join(screenshots, 'journal.png'), fullPage: true });
  await page.close();
});

test('the server stops cleanly on SIGTERM', async () => {
  const exited = new Promise((resolveExit) => server.on('exit', (code) => resolveExit(code)));
  server.kill('SIGTERM');
  assert.equal(await exited, 0, serverOutput);
  assert.match(serverOutput, /stopped/);
  // What the browser did is all in the trail, and the chain still verifies.
  assert.match(esculape(['audit', 'verify']), /audit trail intact/);
});
