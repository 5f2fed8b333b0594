// The convolutions' output sizes, computed by hand: the GPU wrappers and the references share this module,
// so a wrong size here would not show in their comparison.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { convGeometry, convTGeometry } from '../../src/nn/conv_geometry.ts';

test('conv3d sizes: floor((n + 2p − k) / s) + 1 per axis, as PyTorch', () => {
  // SHAPR's (1,3,3) 'same' convolution keeps the size
  const same = convGeometry([6, 10, 1, 64, 64], [20, 10, 1, 3, 3], [0, 1, 1]);
  assert.equal([same.b, same.cin, same.cout, same.od, same.oh, same.ow], [6, 10, 20, 1, 64, 64]);
  // 7 voxels, kernel 3, padding 1, stride 2: (7 + 2 − 3) / 2 + 1 = 4; 8 voxels, kernel 2, no padding, stride 3: floor(6 / 3) + 1 = 3
  const odd = convGeometry([1, 1, 7, 8, 5], [1, 1, 3, 2, 5], [1, 0, 0], [2, 3, 1]);
  assert.equal([odd.od, odd.oh, odd.ow], [4, 3, 1]);
  assert.equal([odd.kd, odd.kh, odd.kw, odd.sd, odd.sh, odd.sw, odd.pd, odd.ph, odd.pw], [3, 2, 5, 2, 3, 1, 1, 0, 0]);
  // one voxel, a 1×1×1 kernel
  const one = convGeometry([1, 1, 1, 1, 1], [1, 1, 1, 1, 1]);
  assert.equal([one.od, one.oh, one.ow], [1, 1, 1]);
});

test('convTranspose3d sizes: (n − 1)·s + k per axis, as PyTorch without padding', () => {
  // SHAPR's (2,1,1) up-sampling along z and its k = s = 2 one
  const z = convTGeometry([3, 80, 1, 16, 16], [80, 80, 2, 1, 1], [2, 1, 1]);
  assert.equal([z.cin, z.cout, z.od, z.oh, z.ow], [80, 80, 2, 16, 16]);
  const all = convTGeometry([1, 40, 4, 16, 16], [40, 40, 2, 2, 2], [2, 2, 2]);
  assert.equal([all.od, all.oh, all.ow], [8, 32, 32]);
  // k > s overlaps, k < s leaves gaps: (3 − 1)·2 + 3 = 7, (5 − 1)·3 + 2 = 14
  const odd = convTGeometry([2, 3, 3, 5, 1], [3, 4, 3, 2, 1], [2, 3, 1]);
  assert.equal([odd.b, odd.cout, odd.od, odd.oh, odd.ow], [2, 4, 7, 14, 1]);
});

test.run();
