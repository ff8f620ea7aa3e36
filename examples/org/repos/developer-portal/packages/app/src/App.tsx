import { createApp } from "@backstage/app-defaults";

const app = createApp({ apis: [] });
export default app.createRoot(<></>);
