// Fails unless the patches in patches/ are applied to the installed packages.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '@evidence-dev');
const expected = {
	'universal-sql': [
		'src/build-parquet.js',
		'src/client-duckdb/node.js',
		'src/client-duckdb/browser.js',
		'src/cache-duckdb.js'
	],
	'component-utilities': ['src/formatting.js', 'src/echarts.js'],
	// `evidence sources`: DuckDB writes each source's parquet file itself (the SDK asks the
	// connector to), instead of converting every value to JS, Arrow and wasm parquet
	duckdb: ['index.cjs'],
	sdk: ['src/plugins/datasources/evalSources.js']
};
const marker = {
	'universal-sql': 'OFFLINE-PATCH',
	'component-utilities': 'SV-LOCALE-PATCH',
	duckdb: 'NATIVE-PARQUET-PATCH',
	sdk: 'NATIVE-PARQUET-PATCH'
};
// Files whose patch has a marker of its own (the build speed-up of the query cache).
const fileMarker = { 'src/cache-duckdb.js': 'PRERENDER-CACHE-PATCH' };

const problems = [];
for (const [pkg, files] of Object.entries(expected)) {
	const { version } = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8'));
	console.log(`@evidence-dev/${pkg} ${version}`);
	for (const file of files) {
		const src = readFileSync(join(root, pkg, file), 'utf8');
		const m = fileMarker[file] ?? marker[pkg];
		if (!src.includes(m)) problems.push(`${pkg}/${file}: ${m} missing`);
		if (src.includes('FROM read_parquet(')) problems.push(`${pkg}/${file}: still uses read_parquet`);
	}
}
if (problems.length) {
	console.error(`Patches not applied:\n  ${problems.join('\n  ')}`);
	process.exit(1);
}
console.log('Patches OK');
