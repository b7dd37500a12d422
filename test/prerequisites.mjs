// What each test suite needs beyond Node, checked before anything runs (used by test/run.mjs; no dependencies).
// unit needs nothing. The others need Debian packages (installed with apt-get when running as root on Debian,
// else the apt-get line is printed) and a python with torch (their files and expectations come from torch);
// ui also a Chromium. A suite with something missing
// is reported as "not run — needs ...": never skipped silently, never counted as passed.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

// joblib: the oracle tests write real joblib.dump files.
const TORCH = ['python3-torch', 'python3-numpy', 'python3-joblib'];
const CODE_SERVER_BUILD = ['ripgrep', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config'];
const DEBIAN_PACKAGES = {
  unit: [],
  oracle: TORCH,
  integration: [...TORCH, ...CODE_SERVER_BUILD],
  ui: [...TORCH, ...CODE_SERVER_BUILD, 'chromium'],
};

const torchPython = () => process.env.TORCH_PYTHON ?? '/usr/bin/python3';
const chromiumPath = () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The missing prerequisite of a suite that Debian packages alone do not settle, or undefined. */
function missingTool(suite, hasTorch) {
  if (suite !== 'unit' && !hasTorch()) return `${torchPython()} with torch, numpy and joblib (set TORCH_PYTHON; Debian: python3-torch python3-numpy python3-joblib)`;
  if (suite === 'ui' && !existsSync(chromiumPath())) return `Chromium at ${chromiumPath()} (set CHROMIUM_PATH; Debian: chromium)`;
  return undefined;
}

function notInstalled(packages) {
  return packages.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

/**
 * Installs what it can (root on Debian) and returns, per suite that still lacks something, what it needs.
 * `install(cmd, args, env)` runs a command or throws.
 */
export function missingPrerequisites(suites, { say, install }) {
  const missing = new Map();
  if (existsSync('/etc/debian_version')) {
    const wanted = [...new Set(suites.flatMap((s) => DEBIAN_PACKAGES[s]))];
    const absent = notInstalled(wanted);
    if (absent.length > 0 && process.getuid?.() === 0) {
      say(`installing Debian packages: ${absent.join(' ')}`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      install('apt-get', ['update'], env);
      install('apt-get', ['install', '-y', '--no-install-recommends', ...absent], env);
    } else if (absent.length > 0) {
      say(`missing Debian packages; as root: apt-get update && apt-get install -y --no-install-recommends ${absent.join(' ')}`);
      for (const suite of suites) {
        const lacking = DEBIAN_PACKAGES[suite].filter((p) => absent.includes(p));
        if (lacking.length > 0) missing.set(suite, `Debian packages ${lacking.join(' ')}`);
      }
    }
  }
  let torch;
  const hasTorch = () => (torch ??= spawnSync(torchPython(), ['-c', 'import torch, numpy, joblib'], { stdio: 'ignore' }).status === 0);
  for (const suite of suites) {
    if (missing.has(suite)) continue;
    const tool = missingTool(suite, hasTorch);
    if (tool) missing.set(suite, tool);
  }
  if (suites.includes('oracle') && !missing.has('oracle') && process.getuid?.() !== 0) {
    say('oracle: the ENOSPC test mounts a 1 MiB tmpfs and fails without root');
  }
  for (const [suite, need] of missing) say(`${suite}: not run — needs ${need}`);
  return missing;
}
