import { defineConfig } from "vitest/config";

// Test tiers. `npm test` (scripts/run-tests.mjs) runs unit + integration on
// SQLite, integration again on PostgreSQL, then the Chromium end-to-end tier.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["apps/**/*.unit.test.ts", "packages/**/*.unit.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: [
            "apps/**/*.integration.test.ts",
            "packages/**/*.integration.test.ts",
            "tests/integration/**/*.test.ts",
          ],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.e2e.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
