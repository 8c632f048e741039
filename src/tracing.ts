// Loaded with `node --import ./dist/src/tracing.js` before the application: the tracer provider is registered
// before any connector pool or Fastify instance is made, so that every request and connector call is traced.
// OTEL_SDK_DISABLED=true leaves tracing off; OTEL_EXPORTER_OTLP_ENDPOINT turns the OTLP export on.
import { loadConfig } from './config.js'
import { startTracing } from './tracing/otel-sdk.js'

await startTracing(loadConfig().otel)
