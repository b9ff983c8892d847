// Vite's `?raw` imports (docs/privacy.md read by its coverage test) give the file's text.
declare module '*.md?raw' {
  const text: string;
  export default text;
}
