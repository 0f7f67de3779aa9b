// compare.mjs GOLDEN_DIR OUT_ROOT
//
// Compares our engine's outputs (OUT_ROOT/NNN/outK.bin, written by
// `tflite run --out-dir`) with a golden set (GOLDEN_DIR/manifest.json and
// NNN_outK.bin) and prints one line:
//
//   <samples passing>/<samples> <elements differing>/<elements> <max |diff|> <max relative diff>
//
// where a sample passes when integer outputs are identical and float outputs
// are within |a-b| <= 1e-4*max(1,|b|), the bar of `tflite check`, and the
// relative diff is |a-b|/max(1,|b|). Used by check.sh only to report how far
// from the golden a passing model is; `tflite check` gives the verdict.
import fs from 'node:fs';
import path from 'node:path';

const [goldenDir, outRoot] = process.argv.slice(2);
if (!goldenDir || !outRoot) {
  console.error('usage: node compare.mjs GOLDEN_DIR OUT_ROOT');
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(path.join(goldenDir, 'manifest.json'), 'utf8'));
const views = {
  float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  int32: Int32Array, int64: BigInt64Array, bool: Uint8Array,
};
const view = (dtype, b) => {
  const T = views[dtype];
  if (!T) throw new Error(`dtype ${dtype} not handled`);
  return new T(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

let passing = 0, bad = 0, total = 0, maxAbs = 0, maxRel = 0;
manifest.samples.forEach((sample, s) => {
  let ok = true;
  sample.outputs.forEach((o, k) => {
    const dtype = manifest.outputs[k].dtype;
    const want = view(dtype, fs.readFileSync(path.join(goldenDir, o.file)));
    const gotFile = path.join(outRoot, String(s).padStart(3, '0'), `out${k}.bin`);
    const got = view(dtype, fs.readFileSync(gotFile));
    if (got.length !== want.length) {
      ok = false;
      bad += want.length;
      total += want.length;
      return;
    }
    for (let i = 0; i < want.length; i++) {
      total++;
      const b = Number(want[i]), a = Number(got[i]);
      if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
      bad++;
      const d = Math.abs(a - b);
      const rel = d / Math.max(1, Math.abs(b));
      maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
      maxRel = Math.max(maxRel, Number.isNaN(rel) ? Infinity : rel);
      if (dtype !== 'float32' || !(rel <= 1e-4)) ok = false;
    }
  });
  if (ok) passing++;
});
console.log(`${passing}/${manifest.samples.length} ${bad}/${total} ${maxAbs.toPrecision(3)} ${maxRel.toPrecision(3)}`);
