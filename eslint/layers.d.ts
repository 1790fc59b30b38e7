import type { ESLint } from 'eslint';
/** What each folder of src/ may import besides itself. */
export const LAYERS: Readonly<Record<string, readonly string[]>>;
declare const plugin: ESLint.Plugin;
export default plugin;
