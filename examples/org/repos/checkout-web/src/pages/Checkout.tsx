import { useEffect, useState } from "react";

export function Checkout() {
  const [cart, setCart] = useState<unknown>(null);
  useEffect(() => {
    fetch("/api/cart/v1/carts/current").then((r) => r.json()).then(setCart);
  }, []);
  return <main>{cart ? "Review your order" : "Loading..."}</main>;
}
