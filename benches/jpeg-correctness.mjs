// Issue 14's correctness tables for our JPEG decoder, from the tests that check them: every JPEG
// of fixtures/ and ../shared/corpus/ against libjpeg-turbo's djpeg (islow IDCT, fancy
// upsampling) at 1/1, 1/2, 1/4 and 1/8, with the worst file per scale (jpeg/tests/djpeg.rs),
// and the full-size IDCT's IEEE 1180-1990 figures (kernels/src/idct/scalar.rs). The tests
// assert the bounds; this only tabulates what they print.
// Writes benches/results/jpeg-correctness.md.
//
// Usage: npm run bench:jpeg-correctness (installs djpeg if missing), or
// node benches/jpeg-correctness.mjs where djpeg is installed.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const printed = (args) => execFileSync('cargo', ['test', '--release', ...args, '--', '--nocapture', '--test-threads', '1'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).split('\n');

const djpeg = printed(['-p', 'jpeg', '--test', 'djpeg']);
const ieee = printed(['-p', 'kernels', '--lib', 'ieee_1180']);

const scaleLine = /1\/(\d): compared (\d+) JPEGs with djpeg(?:; worst (\S+): mean error ([\d.]+), largest (\d+), PSNR ([\d.]+) dB|: every one identical)$/;
const scales = djpeg.map((line) => line.match(scaleLine)).filter(Boolean);
const refused = djpeg.map((line) => line.match(/1\/1: refused by design: (.*)$/)).filter(Boolean).map((match) => match[1]);
const ieeeRows = ieee.map((line) => line.match(/IEEE 1180 (\|.*)$/)).filter(Boolean).map((match) => match[1]);
if (scales.length !== 4 || ieeeRows.length !== 6) throw new Error('the tests did not print every case');

const when = `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0].model}`;
let table = `# JPEG decoder correctness\n\n${when}. \`npm run bench:jpeg-correctness\` (\`node benches/jpeg-correctness.mjs\`): `
  + 'what `jpeg/tests/djpeg.rs` and the IEEE 1180 test in `kernels/src/idct/scalar.rs` print; both assert issue 14\'s bounds.\n\n'
  + '## Against libjpeg-turbo\n\n'
  + 'Every JPEG in `fixtures/` and `../shared/corpus/` that djpeg decodes, decoded by ours and by `djpeg` (islow IDCT, fancy '
  + 'upsampling; `-scale` for the reduced sizes), compared per channel. Bounds: at 1/1 mean absolute error ≤ 0.5 and largest ≤ 4; '
  + 'at 1/2, 1/4 and 1/8 PSNR ≥ 45 dB. The worst file per scale (lowest PSNR):\n\n'
  + '| scale | JPEGs compared | worst file | mean error | largest | PSNR dB |\n|---|--:|---|--:|--:|--:|\n';
for (const [, scale, compared, worst, mean, largest, psnr] of scales) {
  table += worst
    ? `| 1/${scale} | ${compared} | ${worst} | ${mean} | ${largest} | ${psnr} |\n`
    : `| 1/${scale} | ${compared} | every one identical | 0 | 0 | ∞ |\n`;
}
table += `\nRefused by design, in words, though djpeg decodes them (arithmetic coding, 12-bit and lossless are answered with a 415): ${refused.join(', ') || 'none'}. `
  + 'Files djpeg refuses (or warns about) we refuse too: the test fails otherwise.\n\n'
  + '## IEEE 1180-1990, the full-size IDCT\n\n'
  + '10,000 random blocks per input range and sign through a double-precision forward DCT (rounded, clamped to 12 bits), then '
  + 'the double-precision inverse and ours. Bounds: peak 1, worst mean square 0.06, overall mean square 0.02, worst mean 0.015, '
  + 'overall mean 0.0015. The simd128 IDCTs are bit-identical to this scalar one (`kernels/tests/idct.rs`, in V8).\n\n'
  + '| inputs | peak | worst mean square | overall mean square | worst mean | overall mean |\n|---|--:|--:|--:|--:|--:|\n'
  + ieeeRows.map((row) => `${row}\n`).join('');
writeFileSync(`${root}benches/results/jpeg-correctness.md`, table);
console.log(table);
