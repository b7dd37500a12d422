// Where the CLI's code cache goes on each platform (src/cli/userCacheDir.ts), from the environment it is given.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { userCacheDir } from '../../../src/cli/userCacheDir';

describe('CLI cache folder', () => {
  const home = join('/', 'home', 'ada');

  it('Linux and other Unix: XDG_CACHE_HOME when absolute, else ~/.cache', () => {
    assert.equal(userCacheDir({}, 'linux', home), join(home, '.cache', 'ckpt-ast'));
    assert.equal(userCacheDir({ XDG_CACHE_HOME: '/var/cache/ada' }, 'linux', home), join('/var/cache/ada', 'ckpt-ast'));
    assert.equal(userCacheDir({ XDG_CACHE_HOME: 'relative/cache' }, 'freebsd', home), join(home, '.cache', 'ckpt-ast'), 'a relative XDG_CACHE_HOME is ignored');
    assert.equal(userCacheDir({ XDG_CACHE_HOME: '' }, 'linux', home), join(home, '.cache', 'ckpt-ast'));
  });

  it('macOS: ~/Library/Caches, whatever XDG_CACHE_HOME says', () => {
    assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x' }, 'darwin', home), join(home, 'Library', 'Caches', 'ckpt-ast'));
  });

  it('Windows: %LOCALAPPDATA%, else AppData\\Local under the home folder', () => {
    assert.equal(userCacheDir({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32', home), join('C:\\Users\\ada\\AppData\\Local', 'ckpt-ast', 'Cache'));
    assert.equal(userCacheDir({}, 'win32', home), join(home, 'AppData', 'Local', 'ckpt-ast', 'Cache'));
  });
});
