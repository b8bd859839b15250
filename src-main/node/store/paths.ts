/**
 * Where the lab notebook lives. The data directory is the one Electron's
 * `app.getPath('userData')` gives an app named `wakelab`, so the desktop app, the CLI and browser
 * mode all find the same database: Electron's appData folder (Chromium's
 * `base::nix::GetXDGDirectory` on Linux and other Unixes) plus the app name.
 */
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'wakelab';
export const DB_FILE = 'wakelab.db';

/** The per-user data directory for `wakelab` on `platform`. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') {
    // %APPDATA% is always set on Windows; the fallback is where it normally points.
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_NAME);
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_NAME);
  // Like Chromium, an empty XDG_CONFIG_HOME counts as unset.
  const config = env.XDG_CONFIG_HOME || path.posix.join(home, '.config');
  return path.posix.join(config, APP_NAME);
}

/** The database to open: the `--db` value, else `WAKELAB_DB`, else `<data dir>/wakelab.db`. */
export function resolveDbPath(
  opt?: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (opt) return opt;
  if (env.WAKELAB_DB) return env.WAKELAB_DB;
  const dir = defaultDataDir(env, platform, home);
  return platform === 'win32' ? path.win32.join(dir, DB_FILE) : path.posix.join(dir, DB_FILE);
}
