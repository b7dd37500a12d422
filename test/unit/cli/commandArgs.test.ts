// The CLI's option parser (src/cli/commandArgs.ts): values that start with "-" (negative numbers) in both the
// `--opt V` and `--opt=V` forms, and one-line errors that name the option and the forms that would work.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandArgs, UsageError, type OptionSpecs } from '../../../src/cli/commandArgs';

const SPECS: OptionSpecs = { mean: { value: 'X' }, out: { value: 'DIR' }, json: {}, help: { short: 'h' } };

describe('CLI option parser', () => {
  it('takes the next argument as the value, negative numbers included, and the --opt=V form', () => {
    assert.deepEqual(parseCommandArgs(['f.pth', '--mean', '-6.845978', '--out', '-weird-dir'], SPECS), {
      values: { mean: '-6.845978', out: '-weird-dir' }, positionals: ['f.pth'],
    });
    assert.deepEqual(parseCommandArgs(['--mean=-1.5e-3', 'f.pth', '--out=a=b'], SPECS).values, { mean: '-1.5e-3', out: 'a=b' });
    assert.deepEqual(parseCommandArgs(['--mean='], SPECS).values, { mean: '' }, 'an empty value is a value (the caller rejects it)');
  });

  it('flags, short forms, "-" and everything after "--" as positionals; the last occurrence wins', () => {
    assert.deepEqual(parseCommandArgs(['-h', '--json', '-', '--', '--json', '-x'], SPECS), {
      values: { help: true, json: true }, positionals: ['-', '--json', '-x'],
    });
    assert.equal(parseCommandArgs(['--mean', '1', '--mean', '-2'], SPECS).values.mean, '-2');
  });

  it('an unknown option names itself and lists every accepted form', () => {
    for (const written of [['--meen', '1'], ['--meen=1'], ['-x'], ['--help-me']]) {
      assert.throws(() => parseCommandArgs(written, SPECS), (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.message, `unknown option ${written[0]!.split('=')[0]}; accepted: --mean X, --out DIR, --json, -h/--help`);
        return true;
      });
    }
  });

  it('a missing value shows both forms; a value given to a flag is refused', () => {
    assert.throws(() => parseCommandArgs(['f.pth', '--mean'], SPECS), { name: 'UsageError', message: '--mean needs a value: --mean X or --mean=X' });
    assert.throws(() => parseCommandArgs(['--json=yes'], SPECS), { name: 'UsageError', message: '--json takes no value, got "--json=yes"; write --json alone' });
  });
});
