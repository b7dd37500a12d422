// float32 → float16 / bfloat16 rounding and back, against torch's own conversions.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fromFloat32, toFloat32 } from '../../../src/ast/floatCodec';
import { runPythonJson, tempDir } from '../../helpers/torch';

// Values that exercise rounding: ties to even, the largest half, overflow, half subnormals and
// their underflow, negative zero, infinities, plus random normals across magnitudes.
const WRITE_VALUES = String.raw`
import json, sys, torch
out = sys.argv[1]
g = torch.Generator().manual_seed(0)
special = torch.tensor([0.0, -0.0, 1.0, 1.0 + 2**-11, 1.0 + 3 * 2**-11, 65504.0, 65519.99, 65520.0, 1e6, -1e6,
                        2**-24, 2**-25, 2**-25 * 1.0001, 3 * 2**-25, 2**-14 - 2**-25, 5.96e-8, 1e-10,
                        float('inf'), float('-inf'), 3.3895314e38, -1.0000001], dtype=torch.float32)
rand = torch.randn(20000, generator=g) * torch.logspace(-9, 6, 20000)
x = torch.cat([special, rand])
x.numpy().tofile(out + '/x.f32')
x.half().numpy().tofile(out + '/x.f16')
x.bfloat16().view(torch.int16).numpy().tofile(out + '/x.bf16')
x.half().float().numpy().tofile(out + '/x.f16.f32')
x.bfloat16().float().numpy().tofile(out + '/x.bf16.f32')
print(json.dumps(x.numel()))
`;

const bytes = (p: string): Uint8Array => new Uint8Array(readFileSync(p));

describe('float codec against torch', () => {
  const tmp = tempDir('floatcodec-');
  after(tmp.cleanup);
  const file = (n: string): string => join(tmp.dir, n);
  let x: Float32Array;

  it('float32 → float16 and → bfloat16 give torch\'s bytes (round to nearest even)', async () => {
    await runPythonJson(WRITE_VALUES, [tmp.dir]);
    x = toFloat32(bytes(file('x.f32')), 'float32');
    assert.deepEqual(Buffer.from(fromFloat32(x, 'float16')), Buffer.from(bytes(file('x.f16'))));
    assert.deepEqual(Buffer.from(fromFloat32(x, 'bfloat16')), Buffer.from(bytes(file('x.bf16'))));
  });

  it('float16 and bfloat16 → float32 give torch\'s values', () => {
    assert.deepEqual(Buffer.from(fromFloat32(toFloat32(bytes(file('x.f16')), 'float16'), 'float32')), Buffer.from(bytes(file('x.f16.f32'))));
    assert.deepEqual(Buffer.from(fromFloat32(toFloat32(bytes(file('x.bf16')), 'bfloat16'), 'float32')), Buffer.from(bytes(file('x.bf16.f32'))));
  });
});
