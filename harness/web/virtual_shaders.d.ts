// The virtual module made by shadersPlugin (esbuild_plugins.ts): every shaders/**/*.wgsl by name.
declare module 'virtual:shaders' {
  export const SHADERS: Record<string, string>;
}
