// The scanner-bypass corpus (test/hostile/make_scanner_attacks.py): framing tricks, payloads followed by a broken
// pickle, names computed at load time, BUILD/SETITEM on modules, dotted and aliased names, and one sample per
// denylist family the public scanners' advisories name. Each sample gets its exact verdict and reasons here, in
// the core, the CLI and the editor's view model; no sentinel appears; and the live copies, loaded by torch.load
// (or pickle.load of a BytesIO for raw pickles), really run their payloads.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SafetyReport } from '../../../src/core/checkpointIndex';
import { CheckpointError } from '../../../src/core/errors';
import { openFileSource } from '../../../src/node/nodeFileSource';
import { openCheckpoint } from '../../../src/core/openCheckpoint';
import { buildCheckpointView, buildErrorView } from '../../../src/worker/view/buildView';
import { runCli } from '../../helpers/cli';
import { runPython, runPythonJson, tempDir } from '../../helpers/torch';

const SCRIPT = join(process.cwd(), 'test', 'hostile', 'make_scanner_attacks.py');
const RUN_SCRIPT = `import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')`;

interface Sample {
  name: string;
  class: string;
  container: 'zip' | 'raw' | 'legacy';
  file: string;
  sentinel: string;
  live: boolean;
  offsets: Record<string, number>;
}

interface Expected {
  verdict: SafetyReport['verdict'];
  /** Every non-safe global with its verdict and exact reason. */
  globals: [name: string, verdict: SafetyReport['verdict'], reason: string][];
  findings?: (o: Record<string, number>) => string[];
  /** The read fails (with this error code), and the verdict rides on the error. */
  error?: string;
}

const NOT_ALLOWED = 'not in the weights-only allowlist: torch.load would import and call it';
const OS = 'module os: os runs commands (system, exec*, spawn*, popen) and changes files';
const computed = (at: number) => `STACK_GLOBAL at byte ${at} imports a name computed at load time (<computed>.system), not a literal string: it can be any global, os.system included`;
const mod = (m: string, why: string) => `module ${m}: ${why}`;

const EXPECTED: Record<string, Expected> = {
  'frame-cross': { verdict: 'dangerous', globals: [], findings: (o) => [`framing mismatch at byte ${o.opcode}: the opcode runs ${o.past} bytes past the end of its frame (byte ${o.frameEnd})`] },
  'frame-overlap': { verdict: 'dangerous', globals: [], findings: (o) => [`framing mismatch at byte ${o.opcode}: a new frame starts ${o.ahead} bytes before the current one ends`] },
  'frame-too-long': { verdict: 'dangerous', globals: [], findings: (o) => [`framing mismatch at byte ${o.opcode}: the frame runs ${o.past} bytes past STOP, into whatever follows the pickle`] },
  'error-after-global': { verdict: 'dangerous', globals: [['os.system', 'dangerous', OS]], error: 'pickle-format' },
  'error-after-global-p0': { verdict: 'dangerous', globals: [['os.system', 'dangerous', OS]], error: 'pickle-format' },
  'error-before-global': { verdict: 'safe', globals: [], error: 'pickle-format' },
  'computed-by-call': { verdict: 'dangerous', globals: [['builtins.str', 'not-weights-only', NOT_ALLOWED]], findings: (o) => [computed(o.opcode!)] },
  'computed-through-memo': { verdict: 'dangerous', globals: [['builtins.str', 'not-weights-only', NOT_ALLOWED]], findings: (o) => [computed(o.opcode!)] },
  'computed-by-itemgetter': {
    verdict: 'dangerous',
    globals: [['operator.itemgetter', 'dangerous', 'operator.itemgetter: itemgetter reaches any item, e.g. of a module dict or sys.modules']],
    findings: (o) => [computed(o.opcode!)],
  },
  'build-on-module': {
    verdict: 'dangerous',
    globals: [['builtins.str', 'not-weights-only', NOT_ALLOWED], ['torch._utils', 'not-weights-only', NOT_ALLOWED]],
    findings: (o) => [computed(o.opcode!), `BUILD at byte ${o.build} sets attributes of torch._utils itself (a module or class): every later use of it runs the file's replacements`],
  },
  'setitem-sys-modules': {
    verdict: 'dangerous',
    globals: [['sys.modules', 'dangerous', mod('sys', 'sys reaches sys.modules, the import hooks and the interpreter state')], ['builtins.str', 'not-weights-only', NOT_ALLOWED]],
    findings: (o) => [`byte ${o.setitem} stores items into sys.modules itself: the file rewrites a global object (e.g. sys.modules) that later code trusts`],
  },
  'dotted-eval-call': { verdict: 'dangerous', globals: [['builtins.eval.__call__', 'dangerous', 'builtins.eval: evaluates a Python expression from the file']] },
  'dotted-module-attribute': { verdict: 'dangerous', globals: [['torch.serialization.os.system', 'dangerous', `torch.serialization.os.system reaches os.system through attributes: ${OS}`]] },
  'alias-operator-attrgetter': {
    verdict: 'dangerous',
    globals: [
      ['_operator.attrgetter', 'dangerous', 'operator.attrgetter (_operator is operator): attrgetter("system")(os module) reaches any attribute'],
      ['torch.serialization.os', 'dangerous', `torch.serialization.os is the os module reached as an attribute: ${OS}`],
    ],
  },
  'dunder-builtins': { verdict: 'dangerous', globals: [['__builtins__.eval', 'dangerous', 'builtins.eval (__builtins__ is builtins): evaluates a Python expression from the file']] },
  'alias-nt': { verdict: 'dangerous', globals: [['nt.system', 'dangerous', 'module os (nt is os): os runs commands (system, exec*, spawn*, popen) and changes files']] },
  'nested-torch-load': { verdict: 'dangerous', globals: [['torch.serialization.load', 'dangerous', 'torch.serialization.load: torch.load under its defining module: loads and unpickles a nested file']] },
  'datapipe-decoder': {
    verdict: 'dangerous',
    globals: [['torch.utils.data.datapipes.utils.decoder.basichandlers', 'dangerous', mod('torch.utils.data.datapipes.utils.decoder', 'decoder handlers unpickle nested bytes')]],
  },
  'data-types': { verdict: 'not-weights-only', globals: [['argparse.Namespace', 'not-weights-only', NOT_ALLOWED], ['collections.Counter', 'not-weights-only', NOT_ALLOWED]] },
  'unknown-code': { verdict: 'not-weights-only', globals: [['argparse.Namespace', 'not-weights-only', NOT_ALLOWED], ['trainer_callbacks.OnLoad', 'not-weights-only', NOT_ALLOWED]] },
};

/** One sample per denylist family: the global and the exact reason (the entry that matches it best). */
const FAMILIES: Record<string, [string, string] | [string, string][]> = {
  'uuid-command': ['uuid._get_command_stdout', mod('uuid', 'uuid._get_command_stdout and the getnode helpers run commands')],
  'pydoc-pipepager': ['pydoc.pipepager', mod('pydoc', 'pydoc.locate imports anything, pydoc.pipepager runs commands')],
  'osx-support-read-output': ['_osx_support._read_output', mod('_osx_support', '_read_output and _find_build_tool run commands through os.system')],
  'aix-support': ['_aix_support._aix_tag', mod('_aix_support', '_read_cmd_output runs commands')],
  'imaplib-stream': ['imaplib.IMAP4_stream', mod('imaplib', 'imaplib.IMAP4_stream runs a command through a shell')],
  'logging-filehandler': ['logging.FileHandler', mod('logging', 'logging handlers open files and sockets; logging.config.listen runs received config')],
  'logging-handlers': ['logging.handlers.RotatingFileHandler', mod('logging.handlers', 'handlers open files, sockets, SMTP and HTTP connections')],
  'ssl-certificate': ['ssl.get_server_certificate', mod('ssl', 'ssl.get_server_certificate connects out (DNS and TCP exfiltration)')],
  'test-support-script': ['test.support.script_helper.assert_python_ok', mod('test', 'test.support.script_helper spawns Python processes running given code')],
  'lib2to3-grammar': ['lib2to3.pgen2.grammar.Grammar', mod('lib2to3', 'lib2to3 pgen loads pickled grammars and evaluates labels')],
  'subinterpreter-run': [
    ['_xxsubinterpreters.create', mod('_xxsubinterpreters', 'runs code in a sub-interpreter (Python ≤ 3.12)')],
    ['_xxsubinterpreters.run_string', mod('_xxsubinterpreters', 'runs code in a sub-interpreter (Python ≤ 3.12)')],
  ],
  'pyrepl-pager': ['_pyrepl.pager.pipe_pager', mod('_pyrepl', '_pyrepl pagers run commands; its console runs code')],
  'torch-collect-env': ['torch.utils.collect_env.run', mod('torch.utils.collect_env', 'collect_env.run runs a shell command')],
  'torch-bottleneck': ['torch.utils.bottleneck.__main__.run_cprofile', mod('torch.utils.bottleneck', 'bottleneck runs a script under the profilers')],
  'torch-fx-guards': ['torch.fx.experimental.symbolic_shapes.ShapeEnv.evaluate_guards_expression', mod('torch.fx', 'torch.fx builds modules from generated source; ShapeEnv.evaluate_guards_expression evaluates strings')],
  'torch-dynamo-guards': ['torch._dynamo.guards.GuardBuilder.get', mod('torch._dynamo', 'dynamo guards and the bytecode transformer run generated code (GuardBuilder.get evaluates)')],
  'torch-inductor-compile': ['torch._inductor.codecache.compile_file', mod('torch._inductor', 'inductor compiles and runs generated code; codecache.compile_file runs a compiler command')],
  'torch-config-module': ['torch.utils._config_module.ConfigModule.load_config', mod('torch.utils._config_module', 'ConfigModule.load_config unpickles nested bytes')],
  'torch-jit-exec-wrapper': ['torch.jit.unsupported_tensor_ops.execWrapper', mod('torch.jit.unsupported_tensor_ops', 'execWrapper is exec')],
  'requests-get': ['requests.api.get', mod('requests', 'requests sends HTTP requests')],
  'aiohttp-request': ['aiohttp.request', mod('aiohttp', 'aiohttp sends HTTP requests and serves')],
  'cloudpickle-subimport': ['cloudpickle.cloudpickle.subimport', mod('cloudpickle', 'cloudpickle rebuilds functions from code objects (_make_function, subimport)')],
  'dill-loads': ['dill.loads', mod('dill', 'dill unpickles functions and code objects')],
  'operator-methodcaller': ['operator.methodcaller', 'operator.methodcaller: methodcaller calls any method by name'],
};
for (const [name, entries] of Object.entries(FAMILIES)) {
  const list = (typeof entries[0] === 'string' ? [entries] : entries) as [string, string][];
  EXPECTED[name] = { verdict: 'dangerous', globals: list.map(([g, reason]) => [g, 'dangerous', reason]) };
}

/** What the core says: the listing's verdict, or the one the error carries (raw pickles, broken pickles). */
async function safetyOf(file: string): Promise<{ safety: SafetyReport; error?: CheckpointError }> {
  const source = await openFileSource(file);
  try {
    return { safety: (await openCheckpoint(source)).safety };
  } catch (err) {
    assert.ok(err instanceof CheckpointError, `${basename(file)}: ${String(err)}`);
    assert.ok(err.safety, `${basename(file)}: an error without a verdict: ${err.message}`);
    return { safety: err.safety, error: err };
  } finally {
    await source.close();
  }
}

describe('scanner-bypass corpus: exact verdicts and reasons, never run', () => {
  const tmp = tempDir('scanner-attacks-');
  let corpus: Sample[] = [];
  after(() => tmp.cleanup());
  before(async () => {
    await runPython(RUN_SCRIPT, [SCRIPT, tmp.dir]);
    corpus = JSON.parse(readFileSync(join(tmp.dir, 'manifest.json'), 'utf8')) as Sample[];
  });

  it('has a sample of every class, and an expectation for every sample', (t) => {
    const counts: Record<string, number> = {};
    for (const s of corpus) counts[s.class] = (counts[s.class] ?? 0) + 1;
    t.diagnostic(`${corpus.length} files: ${JSON.stringify(counts)}`);
    assert.deepEqual(Object.keys(counts).sort(), ['advice', 'denylist', 'dotted', 'dynamic', 'error-after', 'framing']);
    assert.deepEqual([...new Set(corpus.map((s) => s.name))].sort(), Object.keys(EXPECTED).sort());
  });

  it('the core gives each sample its exact verdict, globals and findings; errors carry them', async (t) => {
    let flagged = 0;
    for (const sample of corpus) {
      const expected = EXPECTED[sample.name]!;
      const label = `${sample.name} (${sample.container})`;
      const { safety, error } = await safetyOf(sample.file);
      assert.equal(safety.verdict, expected.verdict, label);
      const unsafe = safety.globals.filter((g) => g.verdict !== 'safe').map((g) => [g.name, g.verdict, g.reason]);
      assert.deepEqual(unsafe, expected.globals, label);
      assert.deepEqual(safety.findings, expected.findings?.(sample.offsets), label);
      if (expected.error !== undefined) assert.equal(error?.code, expected.error, `${label}: ${error?.message}`);
      if (safety.verdict === 'dangerous') flagged++;
    }
    t.diagnostic(`${flagged} of ${corpus.length} rated dangerous`);
  });

  it('inspect --json: the listing, or {error, safety, unsafeGlobals} with exit 2; the text error names the verdict', async () => {
    for (const name of ['error-after-global', 'error-before-global', 'frame-cross', 'computed-by-call', 'dotted-module-attribute', 'data-types']) {
      for (const sample of corpus.filter((s) => s.name === name)) {
        const label = `${name} (${sample.container})`;
        const run = await runCli(['inspect', '--json', sample.file]);
        const json = JSON.parse(run.stdout) as { error?: { code: string; message: string; file: string }; safety: SafetyReport; unsafeGlobals: string[] };
        const expected = EXPECTED[name]!;
        assert.equal(json.safety.verdict, expected.verdict, label);
        assert.deepEqual(json.unsafeGlobals, expected.globals.map(([g]) => g), label);
        assert.deepEqual(json.safety.findings, expected.findings?.(sample.offsets), label);
        // Raw pickles are refused as "not a checkpoint" (with their verdict) until the reader lists them.
        if (expected.error !== undefined) assert.ok(json.error, `${label}: no error object`);
        assert.equal(run.code, json.error ? 2 : 0, `${label}: ${run.stderr}`);
        if (!json.error) continue;
        assert.equal(json.error.file, sample.file, label);
        assert.ok(run.stderr.startsWith(`error: ${json.error.message}`), run.stderr);
        const verdictText = expected.verdict === 'safe' ? 'it names no unsafe globals' : expected.verdict === 'dangerous' ? 'DANGEROUS to torch.load' : 'not weights-only to torch.load';
        assert.ok(run.stderr.includes(verdictText), `${label}: ${run.stderr}`);
        assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      }
    }
  });

  it('the text listing splits data types from unknown code and never offers to allow code', async () => {
    const dataTypes = corpus.find((s) => s.name === 'data-types' && s.container === 'zip')!;
    const unknown = corpus.find((s) => s.name === 'unknown-code' && s.container === 'zip')!;
    const data = await runCli(['inspect', dataTypes.file]);
    assert.match(data.stdout, /\nsafety: data types torch\.serialization\.add_safe_globals can allow: argparse\.Namespace, collections\.Counter\n/);
    assert.doesNotMatch(data.stdout, /unknown code/);
    const code = await runCli(['inspect', unknown.file]);
    assert.match(code.stdout, /\nsafety: data types torch\.serialization\.add_safe_globals can allow: argparse\.Namespace\n/);
    assert.match(code.stdout, /\nsafety: unknown code: trainer_callbacks\.OnLoad\. Allowing these lets the file's author run code; load with weights_only=False only if you trust the source\n/);
  });

  it("the editor's banner offers add_safe_globals for data types only, and calls the rest unknown code", async () => {
    const sample = corpus.find((s) => s.name === 'unknown-code' && s.container === 'zip')!;
    const source = await openFileSource(sample.file);
    try {
      const index = await openCheckpoint(source);
      const view = buildCheckpointView({ file: { name: 'f.pth', uri: sample.file }, index, mapping: new Error('not AST'), detection: new Error('not AST'), loadMs: 0 });
      assert.equal(view.safety.allowlistSnippet, 'import torch\nimport argparse\ntorch.serialization.add_safe_globals([argparse.Namespace])');
      assert.deepEqual(view.safety.unknownCode, ['trainer_callbacks.OnLoad']);
    } finally {
      await source.close();
    }
  });

  it("the editor's error view carries the verdict of what was read before the error", async () => {
    const sample = corpus.find((s) => s.name === 'error-after-global' && s.container === 'zip')!;
    const { error } = await safetyOf(sample.file);
    const view = buildErrorView({ name: basename(sample.file), uri: sample.file }, error);
    assert.equal(view.safety?.verdict, 'dangerous');
    assert.deepEqual(view.safety.globals.map((g) => g.name), ['os.system']);
    assert.equal(view.offset, sample.offsets.opcode);
  });

  it('no sentinel exists: nothing ran', () => {
    assert.deepEqual(corpus.filter((s) => existsSync(s.sentinel)).map((s) => basename(s.sentinel)), []);
  });

  it('the live copies run their payloads under torch.load / pickle.load (BytesIO)', async (t) => {
    const proved = await runPythonJson<Record<string, boolean>>(RUN_SCRIPT, [SCRIPT, '--prove', tmp.dir]);
    const live = corpus.filter((s) => s.live);
    const dead = live.filter((s) => proved[basename(s.file)] !== true).map((s) => basename(s.file));
    t.diagnostic(`${live.length - dead.length} of ${live.length} live samples ran their payload (${corpus.length - live.length} need a module or platform this machine lacks, or are verdict-only)`);
    assert.deepEqual(dead, []);
    assert.ok(live.length >= 40, `${live.length} live samples`);
  });
});
