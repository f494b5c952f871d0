// Fetch every page of a data source with the official SDK's own pagination helper.
// Usage: NOTION_API_BASE=http://127.0.0.1:PORT NOTION_API_TOKEN=… node fetch.mjs DATA_SOURCE_ID
// Prints one JSON line: {"pages": N, "seconds": S}.
import { Client, collectPaginatedAPI } from "@notionhq/client";

const notion = new Client({
  auth: process.env.NOTION_API_TOKEN,
  baseUrl: process.env.NOTION_API_BASE,
  notionVersion: "2025-09-03",
  timeoutMs: 120000,
});
const started = performance.now();
const pages = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: process.argv[2] });
console.log(JSON.stringify({ pages: pages.length, seconds: (performance.now() - started) / 1000 }));
