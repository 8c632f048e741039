// Loaded with `node --import ./dist/src/tracing.js` before the application: the instrumentations must patch `pg`
// before it is first imported, and @fastify/otel attaches itself to every Fastify instance created.
// OTEL_SDK_DISABLED=true leaves tracing off; OTEL_EXPORTER_OTLP_ENDPOINT turns the OTLP export on.
import { loadConfig } from './config.js'
import { startTracing } from './audit/otel-sdk.js'

startTracing(loadConfig().otel)
