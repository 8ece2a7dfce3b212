#!/usr/bin/env node
// Opens pages of an already served site in headless Chromium and checks them.
//
// Usage: node check_site.mjs BASE_URL EXPECTATIONS_JSON ARTIFACTS_DIR
//   EXPECTATIONS_JSON: a JSON list (or a path to a .json file holding one). Each item is
//   either a text that must be visible on "/" or {"path": "/x/", "text": "...", "exact": true};
//   exact means some element's whole text (whitespace normalised) equals it.
// Fails (exit 1) on a console error, a page error, a request to a host other than
// 127.0.0.1 (aborted), a failed local request, or a missing text. Saves one full-page
// screenshot per path in ARTIFACTS_DIR.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// playwright-core is installed with the Evidence project.
const require = createRequire(new URL('../../evidence/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TEXT_TIMEOUT_MS = Number(process.env.CHECK_SITE_TIMEOUT_MS ?? 60000);
const FORBIDDEN_TEXTS = ['Error in Query', 'function signature mismatch'];
const LOCAL_HOST = '127.0.0.1';

function parseArgs(argv) {
	if (argv.length !== 3) {
		console.error('Usage: node check_site.mjs BASE_URL EXPECTATIONS_JSON ARTIFACTS_DIR');
		process.exit(2);
	}
	const [baseUrl, expectationsArg, artifactsDir] = argv;
	const raw = existsSync(expectationsArg) ? readFileSync(expectationsArg, 'utf8') : expectationsArg;
	const expectations = JSON.parse(raw).map((e) =>
		typeof e === 'string'
			? { path: '/', text: e, exact: false }
			: { path: e.path ?? '/', text: e.text, exact: Boolean(e.exact) }
	);
	if (!expectations.length) throw new Error('No expectations given');
	return { baseUrl, expectations, artifactsDir };
}

function isLocal(url) {
	const { protocol, hostname } = new URL(url);
	return ['data:', 'blob:'].includes(protocol) || hostname === LOCAL_HOST;
}

function screenshotName(path) {
	const slug = path.replace(/^\/+|\/+$/g, '').replace(/[^a-zA-Z0-9_-]+/g, '_');
	return `${slug || 'index'}.png`;
}

async function main() {
	const { baseUrl, expectations, artifactsDir } = parseArgs(process.argv.slice(2));
	mkdirSync(artifactsDir, { recursive: true });

	const problems = [];
	const log = [];
	const userDataDir = mkdtempSync(join(tmpdir(), 'check-site-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
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
		context.on('request', (request) => {
			if (!isLocal(request.url())) problems.push(`non-local request: ${request.url()}`);
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
			if (response.status() >= 400) {
				problems.push(`HTTP ${response.status()} for ${response.url()}`);
			}
		});

		const byPath = new Map();
		for (const e of expectations) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);

		for (const [path, expected] of byPath) {
			const page = await context.newPage();
			page.on('console', (msg) => {
				log.push(`console.${msg.type()} ${path}: ${msg.text()}`);
				if (msg.type() === 'error') problems.push(`console error on ${path}: ${msg.text()}`);
			});
			page.on('pageerror', (err) => problems.push(`page error on ${path}: ${err.message}`));

			const url = new URL(path, baseUrl).toString();
			const started = Date.now();
			await page.goto(url, { waitUntil: 'networkidle', timeout: TEXT_TIMEOUT_MS });
			for (const { text, exact } of expected) {
				try {
					await page
						.getByText(text, { exact })
						.filter({ visible: true })
						.first()
						.waitFor({ state: 'visible', timeout: TEXT_TIMEOUT_MS });
				} catch {
					problems.push(`text not visible on ${path}: ${JSON.stringify(text)}`);
				}
			}
			await page.waitForLoadState('networkidle');
			const body = await page.locator('body').innerText();
			for (const text of FORBIDDEN_TEXTS) {
				if (body.includes(text)) problems.push(`forbidden text on ${path}: ${JSON.stringify(text)}`);
			}
			const shot = join(artifactsDir, screenshotName(path));
			await page.screenshot({ path: shot, fullPage: true });
			console.log(`${url}: ${expected.length} text(s) checked in ${Date.now() - started} ms, ${shot}`);
			await page.close();
		}
	} finally {
		await context.close();
		rmSync(userDataDir, { recursive: true, force: true });
		writeFileSync(join(artifactsDir, 'browser-log.txt'), log.join('\n') + '\n');
	}

	if (problems.length) {
		console.error(`check_site: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
		process.exit(1);
	}
	console.log('check_site: OK');
}

main().catch((err) => {
	console.error(`check_site: ${err.stack ?? err}`);
	process.exit(1);
});
