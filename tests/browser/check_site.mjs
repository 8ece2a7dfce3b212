#!/usr/bin/env node
// Drives headless Chromium through an already served site, following a JSON plan, and writes
// what it saw to a JSON report. The Python tests build the plan (with the numbers the
// warehouse says each cell must show) and judge the report; the benchmark uses the timings.
//
// Usage: node check_site.mjs PLAN_JSON REPORT_JSON
//   PLAN: { baseUrl, artifactsDir, coldCache?, concurrency?,
//           visits: [{ path, name?, ready?, via?, steps: [...] }] }
//   ready: a selector whose visibility counts as the page's first render (default: a heading)
//   via: 'link' — the page is reached from the visit before it, in the same tab, by following a
//        link to it (the site's client-side navigation, as a reader moves from page to page);
//        otherwise the page opens anew in a tab of its own (a direct visit to its address).
//   steps (each may have `as`: the key its result is stored under in report.results):
//     { do: 'text', text, exact? }                  wait until visible
//     { do: 'ils', expect?: {kod: {kolumn: text}} } read the ILS table (waits for `expect`)
//     { do: 'table', testid, expect?: [{row, col, text}] }  read a Tabell (by data-testid)
//     { do: 'select', title, option }               pick an option in a Dropdown
//     { do: 'download', testid }                    click, save the file in artifactsDir
//     { do: 'click', selector, url? }               click a link; wait for the address to
//                                                   end with url (a client-side navigation)
//     { do: 'links', selector }                     hrefs of matching <a> elements
//     { do: 'texts', selector, expect?: [text] }    innerText of matching elements (waits
//                                                   until every expected text is among them)
//     { do: 'svgtexts', selector, expect?: [text] } the texts of an SVG chart (<text> and
//                                                   <tspan> contents) inside the selector
//     { do: 'checked', selector, input }            per element matching selector (a row): its
//                                                   text and the checked state of the inputs
//                                                   matching input inside it (waits until every
//                                                   row has one)
// Problems (console errors, page errors, requests to other hosts, failed local requests,
// forbidden or English texts, steps that failed) are listed in report.problems. A full-page
// screenshot of every visit goes to artifactsDir.
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// playwright-core is installed with the Evidence project.
const require = createRequire(new URL('../../evidence/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIMEOUT_MS = Number(process.env.CHECK_SITE_TIMEOUT_MS ?? 60000);
const NETWORK_IDLE_MS = Math.min(TIMEOUT_MS, 5000);
const LOCAL_HOST = '127.0.0.1';
// Texts that must never be visible: Evidence errors, our own error and loading states, and
// English UI words of Evidence components.
const FORBIDDEN = [
	'Error in Query',
	'function signature mismatch',
	'Värdena kunde inte hämtas',
	'Hämtar värden',
	'No Results',
	'No results found',
	'No Records',
	'Dataset is empty',
	'On this page',
	'Download'
];

function isLocal(url) {
	const { protocol, hostname } = new URL(url);
	return ['data:', 'blob:'].includes(protocol) || hostname === LOCAL_HOST;
}

function slug(path) {
	return path.replace(/^\/+|\/+$/g, '').replace(/[^a-zA-Z0-9_-]+/g, '_') || 'index';
}

const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

async function readIls(page) {
	return page.evaluate(() => {
		const table = document.querySelector('[data-testid="ils-tabell"]');
		if (!table) return null;
		const rows = {};
		for (const tr of table.querySelectorAll('tbody tr[data-kod]')) {
			const row = {
				indikator: (tr.querySelector('th')?.innerText ?? '').replace(/[ \t\n\r\f\v]+/g, ' ').trim()
			};
			for (const td of tr.querySelectorAll('td[data-kolumn]')) {
				// Collapse line breaks and spaces, but keep U+00A0 (the thousands separator).
				row[td.dataset.kolumn] = td.innerText.replace(/[ \t\n\r\f\v]+/g, ' ').trim();
			}
			rows[tr.dataset.kod] = row;
		}
		const empty = table.querySelector('tbody td.tom')?.innerText.trim() ?? null;
		const headers = [...table.querySelectorAll('thead th')].map((th) => th.innerText.trim());
		// The status badge: its class and colours (the word is in the cell text).
		const status = {};
		for (const tr of table.querySelectorAll('tbody tr[data-kod]')) {
			const badge = tr.querySelector('td[data-kolumn="status"] .status');
			if (!badge) continue;
			const style = getComputedStyle(badge);
			status[tr.dataset.kod] = {
				klass: [...badge.classList]
					.filter((c) => c !== 'status' && !c.startsWith('svelte-'))
					.join(' '),
				color: style.color,
				background: style.backgroundColor
			};
		}
		return { rows, order: Object.keys(rows), empty, headers, status };
	});
}

async function readTexts(page, selector) {
	return page.$$eval(selector, (els) =>
		els.map((e) => (e.innerText ?? e.textContent ?? '').replace(/[ \t\n\r\f\v]+/g, ' ').trim())
	);
}

async function readSvgTexts(page, selector) {
	return page.$$eval(`${selector} svg text`, (els) =>
		els.map((e) => (e.textContent ?? '').replace(/[ \t\n\r\f\v]+/g, ' ').trim()).filter(Boolean)
	);
}

async function readTable(page, testid) {
	return page.evaluate((testid) => {
		const table = document.querySelector(`[data-testid="${testid}"]`);
		if (!table) return null;
		const headers = [...table.querySelectorAll('thead th')].map((th) => th.innerText.trim());
		const rows = [];
		for (const tr of table.querySelectorAll('tbody tr')) {
			const cells = {};
			for (const td of tr.querySelectorAll('td[data-kolumn]')) {
				cells[td.dataset.kolumn] = td.innerText.replace(/[ \t\n\r\f\v]+/g, ' ').trim();
			}
			if (Object.keys(cells).length) rows.push(cells);
		}
		const empty = table.querySelector('tbody td.tom')?.innerText.trim() ?? null;
		return { headers, rows, empty };
	}, testid);
}

function ilsMatches(actual, expect) {
	if (!actual) return false;
	for (const [kod, cols] of Object.entries(expect)) {
		const row = actual.rows[kod];
		if (!row) return false;
		for (const [col, text] of Object.entries(cols)) if (norm(row[col]) !== norm(text)) return false;
	}
	return true;
}

function tableMatches(actual, expect) {
	if (!actual) return false;
	return expect.every(({ row, col, text }) => {
		const r = actual.rows.find((cells) => norm(Object.values(cells)[0]) === norm(row));
		return r && norm(r[col]) === norm(text);
	});
}

/** Polls read() until ok(result) or the timeout; returns the last result. */
async function poll(read, ok, timeoutMs = TIMEOUT_MS) {
	const deadline = Date.now() + timeoutMs;
	let result = await read();
	while (!ok(result) && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, 250));
		result = await read();
	}
	return result;
}

async function settle(page) {
	// A head start, not a check (what follows waits for the expected texts): in a full
	// `make test` the walk's first page once waited the whole TIMEOUT_MS here after each of its
	// four selections (the page's total 259 s, its content there after seconds; alone 17 s).
	await page.waitForLoadState('networkidle', { timeout: NETWORK_IDLE_MS }).catch(() => {});
	// Our tables say "Hämtar värden …" until their query has answered.
	await page
		.waitForFunction(() => !document.body.innerText.includes('Hämtar värden'), null, {
			timeout: TIMEOUT_MS
		})
		.catch(() => {});
}

async function selectOption(page, title, option) {
	await page.getByRole('combobox', { name: title, exact: true }).first().click();
	const search = page.getByPlaceholder(title, { exact: true });
	await search.fill(option);
	const item = page.locator('[role="option"]').filter({ hasText: option }).first();
	await item.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
	// The search is fuzzy: pick the option whose text is exactly the label. The list may still
	// be narrowing while it is read, so the options are read at once and the exact one is
	// located by its text (not by a position that may be gone by the time it is clicked).
	const texts = (await page.locator('[role="option"]').allInnerTexts()).map(norm);
	if (texts.includes(norm(option))) {
		const escaped = norm(option).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		await page
			.locator('[role="option"]')
			.filter({ hasText: new RegExp(`^\\s*${escaped}\\s*$`) })
			.first()
			.click();
		await page.keyboard.press('Escape').catch(() => {});
		return;
	}
	throw new Error(`no option exactly "${option}" in dropdown "${title}"`);
}

async function runStep(page, step, ctx) {
	switch (step.do) {
		case 'text': {
			await page
				.getByText(step.text, { exact: Boolean(step.exact) })
				.filter({ visible: true })
				.first()
				.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
			return true;
		}
		case 'ils': {
			const read = () => readIls(page);
			if (step.expect) return poll(read, (r) => ilsMatches(r, step.expect));
			return poll(read, (r) => r && (r.order.length > 0 || r.empty !== null));
		}
		case 'table': {
			const read = () => readTable(page, step.testid);
			if (step.expect) return poll(read, (r) => tableMatches(r, step.expect));
			return poll(read, (r) => r && (r.rows.length > 0 || r.empty !== null));
		}
		case 'select': {
			await selectOption(page, step.title, step.option);
			await settle(page);
			return true;
		}
		case 'download': {
			const [download] = await Promise.all([
				page.waitForEvent('download', { timeout: TIMEOUT_MS }),
				page.locator(`[data-testid="${step.testid}"]`).click()
			]);
			const name = download.suggestedFilename();
			const file = join(ctx.artifactsDir, 'nedladdningar', name);
			mkdirSync(join(ctx.artifactsDir, 'nedladdningar'), { recursive: true });
			await download.saveAs(file);
			return { file, name };
		}
		case 'click': {
			if (step.url) {
				// The prerendered link carries no view in its address (IlsTabell.svelte sets it once
				// the page runs in the browser); clicked before that, it opened the indicator on its
				// default view and the wait below ran out (seen once in five `make test` runs).
				await page.waitForFunction(
					([selector, url]) => {
						const a = document.querySelector(selector);
						if (!a) return false;
						const target = new URL(a.href);
						return (target.pathname + target.hash).endsWith(url);
					},
					[step.selector, step.url],
					{ timeout: TIMEOUT_MS }
				);
			}
			await page.locator(step.selector).first().click();
			if (step.url) {
				await page.waitForFunction(
					(url) => (location.pathname + location.hash).endsWith(url),
					step.url,
					{ timeout: TIMEOUT_MS }
				);
			}
			await settle(page);
			return page.evaluate(() => location.pathname + location.hash);
		}
		case 'links': {
			return page.$$eval(step.selector, (as) => as.map((a) => a.getAttribute('href')));
		}
		case 'texts':
		case 'svgtexts': {
			const read = () =>
				step.do === 'texts' ? readTexts(page, step.selector) : readSvgTexts(page, step.selector);
			const want = (step.expect ?? []).map(norm);
			return poll(read, (r) =>
				want.length ? want.every((w) => r.map(norm).includes(w)) : r.length > 0
			);
		}
		case 'checked': {
			const read = () =>
				page.$$eval(
					step.selector,
					(rows, input) =>
						rows.map((row) => ({
							text: (row.innerText ?? '').replace(/[ \t\n\r\f\v]+/g, ' ').trim(),
							checked: [...row.querySelectorAll(input)].map((e) => e.checked)
						})),
					step.input
				);
			return poll(read, (r) => r.length > 0 && r.every((row) => row.checked.length > 0));
		}
		default:
			throw new Error(`unknown step ${JSON.stringify(step)}`);
	}
}

async function main() {
	const [planPath, reportPath] = process.argv.slice(2);
	if (!planPath || !reportPath) {
		console.error('Usage: node check_site.mjs PLAN_JSON REPORT_JSON');
		process.exit(2);
	}
	const plan = JSON.parse(readFileSync(planPath, 'utf8'));
	const { baseUrl, artifactsDir } = plan;
	mkdirSync(artifactsDir, { recursive: true });

	const problems = [];
	const log = [];
	const results = {};
	const visits = [];
	const userDataDir = mkdtempSync(join(tmpdir(), 'check-site-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		acceptDownloads: true,
		// Page routes do not see requests made by a service worker.
		serviceWorkers: 'block',
		viewport: { width: 1280, height: 900 },
		locale: 'sv-SE',
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			// Second line of defence: nothing but 127.0.0.1 resolves.
			`--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${LOCAL_HOST}`
		]
	});

	try {
		await context.route('**/*', (route) => {
			const url = route.request().url();
			if (isLocal(url)) return route.continue();
			problems.push(`request to a non-local host (aborted): ${url}`);
			return route.abort('blockedbyclient');
		});
		context.on('requestfailed', (request) => {
			const reason = request.failure()?.errorText ?? '';
			log.push(`request failed: ${request.url()} ${reason}`);
			// Evidence aborts its prerendered-query fetches on every load; that is harmless.
			if (isLocal(request.url()) && reason !== 'net::ERR_ABORTED') {
				problems.push(`local request failed: ${request.url()} ${reason}`);
			}
		});
		context.on('response', (response) => {
			if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
		});

		// A tab per chain: a visit opened anew and the `via: 'link'` visits that follow it.
		// `concurrency` chains at a time (the tests: several; the benchmark: one, so that each
		// first render is measured alone and a cleared cache is not shared with another visit).
		const openChain = async () => {
			const page = await context.newPage();
			const tab = { page, path: null };
			page.on('console', (msg) => {
				log.push(`console.${msg.type()} ${tab.path}: ${msg.text()}`);
				if (msg.type() === 'error') problems.push(`console error on ${tab.path}: ${msg.text()}`);
			});
			page.on('pageerror', (err) => problems.push(`page error on ${tab.path}: ${err.message}`));
			return tab;
		};
		const visitOne = async (tab, visit, index) => {
			const { page } = tab;
			const name = visit.name ?? slug(visit.path);
			const viaLink = visit.via === 'link' && tab.path !== null;
			tab.path = visit.path;
			if (plan.coldCache) {
				// A first visit: nothing in the HTTP cache (the benchmark measures this).
				const cdp = await context.newCDPSession(page);
				await cdp.send('Network.clearBrowserCache');
				await cdp.detach();
			}
			const started = Date.now();
			const timing = { path: visit.path, index, via: viaLink ? 'link' : 'address' };
			try {
				if (viaLink) {
					// A link to the page, clicked: the site's router handles it as any link on it.
					await page.evaluate((href) => {
						const a = document.createElement('a');
						a.href = href;
						document.body.appendChild(a);
						a.click();
						a.remove();
					}, visit.path);
					await page.waitForFunction(
						(url) => location.pathname + location.hash === url,
						visit.path,
						{ timeout: TIMEOUT_MS }
					);
				} else {
					await page.goto(new URL(visit.path, baseUrl).toString(), {
						waitUntil: 'commit',
						timeout: TIMEOUT_MS
					});
				}
				// First render: the page's main content is visible (prerendered HTML, then hydrated;
				// after a link: the address has changed and a heading is visible — not a first-render
				// measure, which the benchmark takes on pages opened from their address).
				await page
					.locator(visit.ready ?? 'article h1, article h2')
					.first()
					.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
				timing.first_render_ms = Date.now() - started;
				timing.fcp_ms = viaLink
					? null
					: await page.evaluate(
							() =>
								performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null
						);
				await settle(page);
				timing.settled_ms = Date.now() - started;
				for (const step of visit.steps ?? []) {
					try {
						const result = await runStep(page, step, { artifactsDir });
						if (step.as) results[step.as] = result;
					} catch (err) {
						problems.push(`step ${JSON.stringify(step).slice(0, 200)} on ${visit.path}: ${err.message}`);
						if (step.as) results[step.as] = null;
					}
				}
				const body = await page.locator('body').innerText();
				for (const text of FORBIDDEN) {
					if (body.includes(text)) problems.push(`forbidden text on ${visit.path}: ${JSON.stringify(text)}`);
				}
			} catch (err) {
				problems.push(`visit ${visit.path}: ${err.message}`);
			}
			const shot = join(artifactsDir, `${name}.png`);
			await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
			timing.total_ms = Date.now() - started;
			visits.push(timing);
			console.log(`${visit.path}: ${JSON.stringify(timing)}`);
		};
		const chains = [];
		plan.visits.forEach((visit, index) => {
			if (visit.via === 'link' && chains.length) chains.at(-1).push([visit, index]);
			else chains.push([[visit, index]]);
		});
		const workers = Array.from({ length: Math.max(1, plan.concurrency ?? 1) }, async () => {
			while (chains.length) {
				const chain = chains.shift();
				const tab = await openChain();
				for (const [visit, index] of chain) await visitOne(tab, visit, index);
				await tab.page.close();
			}
		});
		await Promise.all(workers);
		visits.sort((a, b) => a.index - b.index); // the plan's order, whatever finished first
	} finally {
		await context.close();
		rmSync(userDataDir, { recursive: true, force: true });
		writeFileSync(join(artifactsDir, 'browser-log.txt'), log.join('\n') + '\n');
	}
	writeFileSync(reportPath, JSON.stringify({ problems, results, visits }, null, 1));
	console.log(problems.length ? `check_site: ${problems.length} problem(s)` : 'check_site: OK');
}

main().catch((err) => {
	console.error(`check_site: ${err.stack ?? err}`);
	process.exit(1);
});
