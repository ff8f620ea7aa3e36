export default function Home() {
  return <h1>Acme storefront (preview)</h1>;
}
