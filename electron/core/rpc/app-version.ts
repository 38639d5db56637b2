/** The app's version, from package.json (bundled into dist by esbuild, read directly under tsx/vitest). */
import packageJson from '../../../package.json' with { type: 'json' };

export const APP_VERSION: string = packageJson.version;
