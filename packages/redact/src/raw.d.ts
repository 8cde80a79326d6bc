// Vite/Vitest `?raw` imports (the corpus test reads the committed corpus file this way: no file-system API in this package).
declare module '*?raw' {
  const text: string;
  export default text;
}
