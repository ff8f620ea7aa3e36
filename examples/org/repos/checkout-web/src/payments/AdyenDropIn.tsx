// Payment step. Owned by team-payments (see docs/CODEOWNERS).
export function AdyenDropIn() {
  return <div id="adyen-dropin" />;
}
