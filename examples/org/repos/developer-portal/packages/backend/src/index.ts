import { createBackend } from "@backstage/backend-defaults";

const backend = createBackend();
backend.add(import("@backstage/plugin-app-backend/alpha"));
backend.add(import("@backstage/plugin-catalog-backend/alpha"));
backend.add(import("@backstage/plugin-techdocs-backend/alpha"));
backend.start();
