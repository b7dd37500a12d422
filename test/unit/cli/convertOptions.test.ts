// Every option of `ckpt-ast convert --help`, typed as the help shows it, on the committed SSAST sample (Node
// alone, no torch): each value option in both the `--opt V` and `--opt=V` forms reaches the conversion plan,
// negative numbers included, and the flags are taken as flags. A new option in --help without a case here fails.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fixturesDir } from '../../harness/paths';
import { runCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/torch';

const SAMPLE = join(fixturesDir(), 'ssast-tiny-sample.pth');

interface Plan { status: string; options: Record<string, unknown>; config: Record<string, unknown> }

/** A value for each option and what the dry-run plan must then show. */
const VALUE_OPTIONS: Record<string, { value: string; check: (plan: Plan) => void }> = {
  out: { value: '-out-dir', check: (p) => assert.equal(p.status, 'planned') },
  model: { value: 'ASTModel', check: (p) => assert.equal(p.options.model, 'ASTModel') },
  'patch-size': { value: '16', check: (p) => assert.equal(p.options.patchSize, 16) },
  'frequency-stride': { value: '10', check: (p) => assert.equal(p.options.frequencyStride, 10) },
  'time-stride': { value: '12', check: (p) => assert.equal(p.options.timeStride, 12) },
  'num-mel-bins': { value: '128', check: (p) => assert.equal(p.config.num_mel_bins, 128) },
  'max-length': { value: '1024', check: (p) => assert.equal(p.config.max_length, 1024) },
  'num-attention-heads': { value: '6', check: (p) => assert.equal(p.config.num_attention_heads, 6) },
  labels: { value: 'dog,-cat', check: (p) => assert.deepEqual(p.options.labels, ['dog', '-cat']) },
  mean: { value: '-6.845978', check: (p) => assert.equal(p.options.mean, -6.845978) },
  std: { value: '5.5654526', check: (p) => assert.equal(p.options.std, 5.5654526) },
  dtype: { value: 'float16', check: (p) => assert.equal(p.options.dtype, 'float16') },
  pooling: { value: 'cls', check: (p) => assert.equal(p.options.pooling, 'cls') },
};
const FLAGS = ['allow-nokd', 'no-preprocessor-config', 'force', 'dry-run', 'json', 'help'];

async function helpOptions(): Promise<string[]> {
  const help = await runCli(['convert', '--help']);
  assert.equal(help.code, 0, help.stderr);
  // The option column: an indented line up to the two spaces before its description.
  const columns = [...help.stdout.matchAll(/^ {2}(--.*?)(?: {2,}|$)/gm)].map((m) => m[1]!);
  return columns.flatMap((column) => [...column.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!));
}

async function plan(args: string[]): Promise<Plan> {
  const r = await runCli(['convert', SAMPLE, '--dry-run', '--json', ...args]);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Plan;
}

describe('ckpt-ast convert: options as --help writes them', () => {
  const tmp = tempDir('cli-options-');
  after(() => tmp.cleanup());

  it('every option of --help has a case here', async () => {
    assert.deepEqual((await helpOptions()).sort(), [...Object.keys(VALUE_OPTIONS), ...FLAGS.filter((f) => f !== 'help')].sort());
  });

  for (const [name, { value, check }] of Object.entries(VALUE_OPTIONS)) {
    it(`--${name} ${value} and --${name}=${value}`, async () => {
      check(await plan([`--${name}`, value]));
      check(await plan([`--${name}=${value}`]));
    });
  }

  it('a negative integer reaches the check that refuses it, in both forms', async () => {
    for (const args of [['--patch-size', '-16'], ['--max-length=-5']]) {
      const r = await runCli(['convert', SAMPLE, '--dry-run', ...args]);
      assert.equal(r.code, 1);
      const [flag, got] = args.length === 2 ? args : args[0]!.split('=');
      assert.equal(r.stderr, `convert: ${flag} must be a positive integer, got "${got}"\nrun "ckpt-ast convert --help" for options\n`);
    }
  });

  it('flags take no value; an unknown or incomplete option names itself and the accepted forms', async () => {
    const nokd = await plan(['--allow-nokd', '--force', '--no-preprocessor-config']);
    assert.equal(nokd.options.allowNokd, true);
    const cases: [string[], RegExp][] = [
      [['--json=true'], /^convert: --json takes no value, got "--json=true"; write --json alone$/m],
      [['--meen', '-6.8'], /^convert: unknown option --meen; accepted: --out DIR, .*--mean X, --std Y, .*-h\/--help$/m],
      [['--std'], /^convert: --std needs a value: --std Y or --std=Y$/m],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['convert', SAMPLE, '--dry-run', ...args]);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, message);
    }
  });

  it('convert --mean -6.845978 --std 5.5654526 writes them into preprocessor_config.json', async () => {
    const out = join(tmp.dir, 'converted');
    const r = await runCli(['convert', SAMPLE, '--out', out, '--mean', '-6.845978', '--std', '5.5654526']);
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(readFileSync(join(out, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.mean, -6.845978);
    assert.equal(config.std, 5.5654526);
  });
});
