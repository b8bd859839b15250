import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDbPath } from '../../../src-main/node/store/paths.ts';

describe('defaultDataDir (Electron userData for "wakelab")', () => {
  it('Linux: $XDG_CONFIG_HOME/wakelab, else ~/.config/wakelab', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/conf' }, 'linux', '/home/ann')).toBe('/x/conf/wakelab');
    expect(defaultDataDir({}, 'linux', '/home/ann')).toBe('/home/ann/.config/wakelab');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '' }, 'linux', '/home/ann')).toBe('/home/ann/.config/wakelab');
  });

  it('other Unixes follow Linux', () => {
    expect(defaultDataDir({}, 'freebsd', '/home/ann')).toBe('/home/ann/.config/wakelab');
  });

  it('macOS: ~/Library/Application Support/wakelab, whatever XDG says', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'darwin', '/Users/ann')).toBe('/Users/ann/Library/Application Support/wakelab');
  });

  it('Windows: %APPDATA%\\wakelab, else the usual Roaming folder', () => {
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann')).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\wakelab',
    );
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\ann')).toBe('C:\\Users\\ann\\AppData\\Roaming\\wakelab');
  });
});

describe('resolveDbPath', () => {
  const env = { WAKELAB_DB: '/env/lab.db', XDG_CONFIG_HOME: '/x/conf' };

  it('takes --db first, then WAKELAB_DB, then the data folder', () => {
    expect(resolveDbPath('/opt/my.db', env, 'linux', '/home/ann')).toBe('/opt/my.db');
    expect(resolveDbPath(undefined, env, 'linux', '/home/ann')).toBe('/env/lab.db');
    expect(resolveDbPath(undefined, { XDG_CONFIG_HOME: '/x/conf' }, 'linux', '/home/ann')).toBe('/x/conf/wakelab/wakelab.db');
  });

  it('treats empty values as unset', () => {
    expect(resolveDbPath('', { WAKELAB_DB: '' }, 'linux', '/home/ann')).toBe('/home/ann/.config/wakelab/wakelab.db');
  });

  it('builds the default per platform', () => {
    expect(resolveDbPath(undefined, {}, 'darwin', '/Users/ann')).toBe('/Users/ann/Library/Application Support/wakelab/wakelab.db');
    expect(resolveDbPath(undefined, { APPDATA: 'D:\\Roam' }, 'win32', 'C:\\Users\\ann')).toBe('D:\\Roam\\wakelab\\wakelab.db');
  });

  it('defaults to the running platform', () => {
    expect(resolveDbPath(undefined, {})).toBe(path.join(defaultDataDir({}), 'wakelab.db'));
  });
});
