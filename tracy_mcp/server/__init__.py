"""The MCP server: the app and its transports (app), tool groups (tools_*), and what they stand on: loaded instances
(instances), background tasks (tasks), the eval sandbox (evaluator), the per-user singleton (singleton), HTTP
request checks (http_security), settings (settings) and the assistant-facing texts (resources/)."""
