// Loaded with `node --import` before the application (OpenTelemetry must patch modules before they load).
// The NodeSDK is wired in by the audit-and-tracing work; until then this file is deliberately empty.
export {}
