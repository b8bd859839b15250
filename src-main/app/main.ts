// Electron main process (placeholder). Keep this file thin: nothing here may be imported by tests,
// the CLI or browser mode, since no Electron binary exists on the build machines.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';

const here = import.meta.dirname; // out/main after `electron-vite build`

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    show: false,
    webPreferences: {
      preload: join(here, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  void win.loadFile(join(here, '../renderer/index.html'));
}

app.whenReady().then(createWindow, (err: unknown) => {
  console.error(err);
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
