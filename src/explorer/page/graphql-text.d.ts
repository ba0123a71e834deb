/** esbuild loads `.graphql` files as text (see ../bundle.ts). */
declare module '*.graphql' {
  const text: string;
  export default text;
}
