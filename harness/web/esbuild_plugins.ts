// esbuild plugins of the web build: the WGSL files of shaders/ as a virtual module (the same files Node
// reads, registered at start-up, never copied), and empty stand-ins for Node built-ins that browser-safe
// modules import for their file-reading helpers (e.g. readTiff beside decodeTiff), which the page never calls.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'esbuild';

/** Every shaders/**\/*.wgsl file by name ('nn/conv3d'), the keys shaderSource() looks up. */
export function collectShaders(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.wgsl')) out.set(relative(root, p).split(sep).join('/').slice(0, -'.wgsl'.length), p);
    }
  };
  walk(root);
  return out;
}

/** `import { SHADERS } from 'virtual:shaders'` → { name: WGSL source } read from `root` at build time. */
export function shadersPlugin(root: string): Plugin {
  return {
    name: 'topo-shapr-shaders',
    setup(build) {
      build.onResolve({ filter: /^virtual:shaders$/ }, () => ({ path: 'shaders', namespace: 'topo-shapr-shaders' }));
      build.onLoad({ filter: /.*/, namespace: 'topo-shapr-shaders' }, () => {
        const files = collectShaders(root);
        const sources: Record<string, string> = {};
        for (const [name, path] of files) sources[name] = readFileSync(path, 'utf8');
        return { contents: `export const SHADERS = ${JSON.stringify(sources)};`, loader: 'js', watchFiles: [...files.values()] };
      });
    },
  };
}

const NODE_ONLY = /^(node:.*|fs|path|url|os|child_process|worker_threads|webgpu)$/;

/**
 * Resolves Node built-ins (and dawn.node's `webgpu`) to a module whose every export throws when called,
 * so a browser-safe module may keep its Node-only helpers. `stubbed` collects what was replaced.
 */
export function nodeStubPlugin(stubbed: Set<string>): Plugin {
  return {
    name: 'topo-shapr-node-stubs',
    setup(build) {
      build.onResolve({ filter: NODE_ONLY }, (args) => {
        stubbed.add(`${args.path} (from ${relative(process.cwd(), args.importer)})`);
        return { path: args.path, namespace: 'topo-shapr-node-stub' };
      });
      build.onLoad({ filter: /.*/, namespace: 'topo-shapr-node-stub' }, (args) => ({
        // NOTE: CommonJS, so that any named import resolves (to a function that says what went wrong).
        contents: `const fail = (k) => () => { throw new Error(${JSON.stringify(args.path)} + '.' + String(k) + ' is not available in the browser'); };
module.exports = new Proxy({}, { get: (_, k) => (k === '__esModule' ? false : fail(k)) });`,
        loader: 'js',
      }));
    },
  };
}
